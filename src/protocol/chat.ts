import { z } from 'zod'

/** An image sent with a chat message: base64 without a `data:` prefix, `image/*` only. */
export const ImageAttachment = z.object({
  media_type: z.string().regex(/^image\/[a-z0-9.+-]+$/i, 'media_type must be an image/* type'),
  data: z.string().max(7 * 1024 * 1024, 'image too large (max 5 MiB decoded)'),
})
export type ImageAttachment = z.infer<typeof ImageAttachment>

export const SendMessageRequest = z.object({
  content: z.string().max(256 * 1024),
  thread_id: z.string().optional(),
  timezone: z.string().max(64).optional(),
  images: z.array(ImageAttachment).max(8).optional(),
})
export type SendMessageRequest = z.infer<typeof SendMessageRequest>

export const SendMessageAccepted = z.object({
  message_id: z.uuid(),
  status: z.literal('accepted'),
  thread_id: z.string(),
})
export type SendMessageAccepted = z.infer<typeof SendMessageAccepted>

export const ApprovalAction = z.enum(['approve', 'deny', 'always'])
export type ApprovalAction = z.infer<typeof ApprovalAction>

export const ApprovalRequest = z.object({
  request_id: z.string(),
  action: z.string(),
  thread_id: z.string().optional(),
})
export type ApprovalRequest = z.infer<typeof ApprovalRequest>
