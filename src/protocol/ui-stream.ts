import { z } from 'zod'

/**
 * `POST /api/chat/ui-stream`, as the AI SDK's `useChat` (its default transport) sends it: the
 * chat's id and its UI messages. Only what the gateway reads is checked (the last message's text
 * parts, or a tool part's approval answer); other fields pass unread.
 */
const UiPart = z.looseObject({
  type: z.string(),
  text: z.string().optional(),
  toolCallId: z.string().optional(),
  state: z.string().optional(),
  approval: z.object({ id: z.string().max(256), approved: z.boolean().optional(), reason: z.string().optional() }).optional(),
})

export const UiMessage = z.looseObject({
  id: z.string().max(256),
  role: z.enum(['system', 'user', 'assistant']),
  parts: z.array(UiPart).max(1000),
})
export type UiMessage = z.infer<typeof UiMessage>

export const UiStreamRequest = z.looseObject({
  /** The chat's id: a gateway thread id continues that thread; any other id maps to a thread of its own, per user. */
  id: z.string().min(1).max(256),
  messages: z.array(UiMessage).min(1).max(2000),
  trigger: z.enum(['submit-message', 'regenerate-message']).optional(),
  messageId: z.string().max(256).optional(),
})
export type UiStreamRequest = z.infer<typeof UiStreamRequest>

/** One part of the UI message stream (`data: <json>` frames), as the AI SDK's parser reads them. */
export const UiMessageChunk = z.looseObject({ type: z.string() })
