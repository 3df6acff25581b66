import { z } from 'zod'
import { ImageAttachment } from './chat'

/**
 * WebSocket frames at `/api/chat/ws`. A client frame may carry an `id`; the server then answers
 * with an `ack` (or an `error`) carrying the same id, so a client knows every frame was handled.
 */
const correlation = { id: z.string().max(128).optional() }

export const WsClientFrame = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('message'),
    content: z.string().max(256 * 1024),
    thread_id: z.string().optional(),
    timezone: z.string().max(64).optional(),
    images: z.array(ImageAttachment).max(8).default([]),
    ...correlation,
  }),
  z.object({
    type: z.literal('approval'),
    request_id: z.string(),
    action: z.string(),
    thread_id: z.string().optional(),
    ...correlation,
  }),
  z.object({ type: z.literal('auth_token'), extension_name: z.string(), token: z.string(), ...correlation }),
  z.object({ type: z.literal('auth_cancel'), extension_name: z.string(), ...correlation }),
  z.object({ type: z.literal('cancel'), thread_id: z.string(), ...correlation }),
  z.object({ type: z.literal('ping'), ...correlation }),
])
export type WsClientFrame = z.infer<typeof WsClientFrame>

export const WsServerFrame = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('event'),
    event_type: z.string(),
    data: z.record(z.string(), z.unknown()),
    /** The event id, usable as `?last_event_id=` when reconnecting. */
    id: z.string().optional(),
  }),
  z.object({ type: z.literal('pong'), id: z.string().optional() }),
  z.object({ type: z.literal('ack'), id: z.string(), result: z.record(z.string(), z.unknown()).optional() }),
  z.object({ type: z.literal('error'), message: z.string(), code: z.string().optional(), id: z.string().optional() }),
])
export type WsServerFrame = z.infer<typeof WsServerFrame>
