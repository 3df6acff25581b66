import { z } from 'zod'

/** Decoded size cap of one image. */
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024
// A flat character class (a grouped repetition overflows the regex stack on multi-MB input).
const BASE64_CHARS = /^[A-Za-z0-9+/]*={0,2}$/
const isBase64 = (s: string): boolean => s.length % 4 === 0 && BASE64_CHARS.test(s)

/**
 * An image sent with a chat message: standard base64 without a `data:` prefix, in a format vision
 * models take (PNG, JPEG, GIF, WebP), at most 5 MiB decoded.
 */
export const ImageAttachment = z.object({
  media_type: z
    .string()
    .transform((s) => s.toLowerCase())
    .pipe(z.enum(['image/png', 'image/jpeg', 'image/gif', 'image/webp'], 'media_type must be image/png, image/jpeg, image/gif or image/webp')),
  data: z
    .string()
    .min(4, 'image data is empty')
    .max(Math.ceil(MAX_IMAGE_BYTES / 3) * 4, 'image too large (max 5 MiB decoded)')
    .refine(isBase64, 'image data must be standard base64 (no data: prefix, no line breaks)'),
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

/** States of a turn: running, paused for the user's approval, or finished one way or another. */
export const TurnState = z.enum(['processing', 'awaiting_approval', 'completed', 'failed', 'interrupted'])
export type TurnState = z.infer<typeof TurnState>

export const TurnToolCall = z.object({
  call_id: z.string(),
  name: z.string(),
  /** The arguments as JSON text. */
  parameters: z.string(),
  has_result: z.boolean(),
  has_error: z.boolean(),
  /** The result cut to ~500 bytes at a character boundary. */
  result_preview: z.string().optional(),
  error: z.string().optional(),
})
export type TurnToolCall = z.infer<typeof TurnToolCall>

export const TurnInfo = z.object({
  id: z.string(),
  /** 0, 1, 2... within the thread (stable across pages). */
  turn_number: z.number().int(),
  user_input: z.string(),
  /** Images sent with the message. */
  image_count: z.number().int(),
  response: z.string().nullable(),
  state: TurnState,
  error: z.string().nullable(),
  started_at: z.string(),
  completed_at: z.string().nullable(),
  tool_calls: z.array(TurnToolCall),
})
export type TurnInfo = z.infer<typeof TurnInfo>

/** A tool call waiting for the user's decision (also sent live as `approval_needed`). */
export const PendingApproval = z.object({
  request_id: z.string(),
  tool_name: z.string(),
  description: z.string(),
  parameters: z.string(),
  allow_always: z.boolean(),
  thread_id: z.string(),
  created_at: z.string(),
  /** The decisions the server accepts for this request, fixed when it was created. */
  decisions: z.array(ApprovalAction),
  /** When it expires unanswered; null: never. */
  expires_at: z.string().nullable(),
})
export type PendingApproval = z.infer<typeof PendingApproval>

export const HistoryQuery = z.object({
  thread_id: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** Opaque: the `next_cursor` of the previous page. */
  cursor: z.string().max(200).optional(),
  /** Paging by time, for clients of the original API: turns started strictly before this RFC 3339 time. */
  before: z.string().max(64).optional(),
})
export type HistoryQuery = z.infer<typeof HistoryQuery>

export const HistoryResponse = z.object({
  thread_id: z.string(),
  /** Oldest first. */
  turns: z.array(TurnInfo),
  has_more: z.boolean(),
  /** Pass as `cursor` for the page of older turns; absent on the last page. */
  next_cursor: z.string().optional(),
  /** `started_at` of the oldest turn in the page (usable as `before`). */
  oldest_timestamp: z.string().optional(),
  pending_approval: PendingApproval.nullable(),
  /** The running turn, with the answer streamed so far: render it, then append `stream_chunk` events. */
  in_progress: z
    .object({
      turn_id: z.string(),
      turn_number: z.number().int(),
      state: TurnState,
      started_at: z.string(),
      response_so_far: z.string(),
      /** The event id of the last `stream_chunk` in `response_so_far`: append only the chunks after it. */
      last_event_id: z.string().optional(),
    })
    .nullable(),
})
export type HistoryResponse = z.infer<typeof HistoryResponse>

export const ThreadInfo = z.object({
  id: z.string(),
  /** `idle`, `processing` or `awaiting_approval`. */
  state: z.enum(['idle', 'processing', 'awaiting_approval']),
  turn_count: z.number().int(),
  created_at: z.string(),
  /** Last activity (message in or reply out); compare with what the client saw for unread marks. */
  updated_at: z.string(),
  title: z.string().optional(),
  thread_type: z.enum(['assistant', 'thread']),
  channel: z.string(),
})
export type ThreadInfo = z.infer<typeof ThreadInfo>

export const ThreadListQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) })

export const ThreadList = z.object({
  assistant_thread: ThreadInfo.nullable(),
  /** Newest activity first, the assistant thread excluded. */
  threads: z.array(ThreadInfo),
  /** The thread with the most recent activity. */
  active_thread: z.string().nullable(),
})
export type ThreadList = z.infer<typeof ThreadList>

/** `POST /api/chat/auth-token`: a credential an extension asked for in chat. */
export const AuthTokenRequest = z.object({ extension_name: z.string().min(1).max(128), token: z.string().min(1).max(8192) })
export const AuthCancelRequest = z.object({ extension_name: z.string().min(1).max(128) })
export const CancelRequest = z.object({ thread_id: z.string() })
/** `POST /api/chat/thread/new` takes no fields, but a body, if any, must be JSON. */
export const NewThreadRequest = z.object({})
export const ApprovalAccepted = z.object({ status: z.literal('accepted'), request_id: z.string() })
export type ApprovalAccepted = z.infer<typeof ApprovalAccepted>
export const CancelResponse = z.object({ status: z.enum(['cancelled', 'idle']), thread_id: z.string() })
export type CancelResponse = z.infer<typeof CancelResponse>
