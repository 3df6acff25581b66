import { z } from 'zod'
import { ApprovalAction } from './chat'

/** What `GET /api/approvals` lists: waiting for an answer, answered (or cancelled), or expired. */
export const ApprovalListStatus = z.enum(['pending', 'resolved', 'expired'])
export type ApprovalListStatus = z.infer<typeof ApprovalListStatus>

export const ApprovalListQuery = z.object({
  status: ApprovalListStatus.default('pending'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
})
export type ApprovalListQuery = z.infer<typeof ApprovalListQuery>

/**
 * How an approval ended: one of the decisions a client sent, `cancelled` (the turn was stopped)
 * or `expired` (nobody answered in time, or the turn waiting for it died).
 */
export const ApprovalDecisionTaken = z.enum(['approve', 'deny', 'always', 'cancelled', 'expired'])
export type ApprovalDecisionTaken = z.infer<typeof ApprovalDecisionTaken>

/** One tool call that waited for (or still waits for) the user, in any of their threads. */
export const ApprovalInfo = z.object({
  request_id: z.string(),
  tool_name: z.string(),
  description: z.string(),
  /** The arguments as pretty-printed JSON, cut to about 500 characters (the full text is in `approval_needed` and history). */
  parameters_preview: z.string(),
  thread_id: z.string(),
  thread_title: z.string().nullable(),
  turn_id: z.string(),
  status: z.enum(['pending', 'resolved', 'expired']),
  /** The decisions a client may send, fixed when the approval was created. */
  decisions: z.array(ApprovalAction),
  /** How it ended; null while pending. */
  decision: ApprovalDecisionTaken.nullable(),
  created_at: z.string(),
  /** When it expires if nobody answers (null: never, for approvals created before expiry existed). */
  expires_at: z.string().nullable(),
  resolved_at: z.string().nullable(),
})
export type ApprovalInfo = z.infer<typeof ApprovalInfo>

export const ApprovalList = z.object({
  /** Newest first. */
  approvals: z.array(ApprovalInfo),
  /** How many approvals wait for the caller's answer now, whatever `status` listed (the web app's badge). */
  pending_count: z.number().int(),
})
export type ApprovalList = z.infer<typeof ApprovalList>
