import { z } from 'zod'

export const HealthResponse = z.object({ status: z.literal('healthy'), channel: z.literal('gateway') })

export const ModelUsage = z.object({
  model: z.string(),
  input_tokens: z.number().int(),
  output_tokens: z.number().int(),
  cost: z.string(),
})

/**
 * `GET /api/gateway/status`. Admins see the whole gateway (`scope: "gateway"`); a member sees its
 * own streams and usage (`scope: "user"`) and none of the deployment's details (database,
 * subsystems, runtime, isolation).
 */
export const GatewayStatus = z.object({
  scope: z.enum(['gateway', 'user']),
  version: z.string(),
  sse_connections: z.number().int(),
  ws_connections: z.number().int(),
  total_connections: z.number().int(),
  uptime_secs: z.number().int(),
  restart_enabled: z.boolean(),
  llm_backend: z.string().nullable(),
  llm_model: z.string().nullable(),
  enabled_channels: z.array(z.string()),
  database: z.enum(['sqlite', 'postgres', 'none']).optional(),
  subsystems: z.record(z.string(), z.boolean()).optional(),
  /** The runtime adapter serving the gateway: `node`, `bun`, `deno` (or `fetch` for the bare core). */
  runtime: z.string().optional(),
  /** How job commands are confined (`bwrap`, `process`; `files_only` without child processes); absent without jobs. */
  isolation: z.string().optional(),
  daily_cost: z.string().optional(),
  actions_this_hour: z.number().int().optional(),
  model_usage: z.array(ModelUsage).optional(),
})
export type GatewayStatus = z.infer<typeof GatewayStatus>

export const WhoAmI = z.object({
  user_id: z.string(),
  role: z.enum(['admin', 'member']),
  display_name: z.string().nullable(),
  token_id: z.string().nullable(),
  /**
   * Who minted this token when not `user_id` itself: the owner impersonating, or whoever created
   * the account (its first token). Null for the user's own tokens and the owner's configured one.
   */
  minted_by: z.string().nullable(),
  /** The token is the owner's impersonation of `user_id` (not the user's own, nor an account's first token). */
  impersonation: z.boolean(),
})
export type WhoAmI = z.infer<typeof WhoAmI>
