import { z } from 'zod'

/** The one JSON error envelope used by every route outside `/v1`. */
export const ErrorEnvelope = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    request_id: z.string().optional(),
    details: z.unknown().optional(),
  }),
})
export type ErrorEnvelope = z.infer<typeof ErrorEnvelope>

/** OpenAI's error shape, used for every error under `/v1`. */
export const OpenAIErrorEnvelope = z.object({
  error: z.object({
    message: z.string(),
    type: z.string(),
    param: z.string().nullable(),
    code: z.string().nullable(),
  }),
})
export type OpenAIErrorEnvelope = z.infer<typeof OpenAIErrorEnvelope>

/**
 * The shared body of actions that may partly succeed (extension install, activate, setup, auth).
 * Failures are real 4xx/5xx statuses that still carry this body.
 */
export const ActionResponse = z.object({
  success: z.boolean(),
  message: z.string(),
  auth_url: z.string().optional(),
  awaiting_token: z.boolean().optional(),
  instructions: z.string().optional(),
  activated: z.boolean().optional(),
  needs_restart: z.boolean().optional(),
  verification: z
    .object({ code: z.string(), instructions: z.string(), deep_link: z.string().optional() })
    .optional(),
})
export type ActionResponse = z.infer<typeof ActionResponse>
