import type { ExpressionBuilder } from 'kysely'
import type { ApprovalInfo, ApprovalList, ApprovalListQuery, ApprovalListStatus } from '../../protocol/approvals'
import type { Database, Db } from '../../store/database'
import { truncateBytes } from '../../lib/text'
import { toApproval } from './chat-rows'

/** How much of an approval's arguments the list shows; the card (history, `approval_needed`) has them all. */
const PREVIEW_BYTES = 500

type Eb = ExpressionBuilder<Database, 'chat_approvals'>

/**
 * Which rows a listed status covers. One due but not yet swept (the sweep runs every minute at
 * most) already reads as expired, so the inbox never offers an answer that would get a 410.
 */
function ofStatus(eb: Eb, status: ApprovalListStatus, now: string) {
  const due = eb.and([eb('chat_approvals.status', '=', 'pending'), eb('chat_approvals.expires_at', 'is not', null), eb('chat_approvals.expires_at', '<=', now)])
  if (status === 'expired') return eb.or([eb('chat_approvals.status', '=', 'expired'), due])
  if (status === 'resolved') return eb('chat_approvals.status', 'in', ['approved', 'denied', 'cancelled'])
  return eb.and([eb('chat_approvals.status', '=', 'pending'), eb.or([eb('chat_approvals.expires_at', 'is', null), eb('chat_approvals.expires_at', '>', now)])])
}

/** The caller's approvals across their threads, newest first, and how many wait for them now. */
export async function approvalInbox(db: Db, userId: string, query: ApprovalListQuery, now: string): Promise<ApprovalList> {
  const rows = await db
    .selectFrom('chat_approvals')
    .leftJoin('chat_threads', 'chat_threads.id', 'chat_approvals.thread_id')
    .selectAll('chat_approvals')
    .select('chat_threads.title as thread_title')
    .where('chat_approvals.user_id', '=', userId)
    .where((eb) => ofStatus(eb, query.status, now))
    .orderBy('chat_approvals.created_at', 'desc')
    .orderBy('chat_approvals.request_id', 'desc')
    .limit(query.limit)
    .execute()
  const count = await db
    .selectFrom('chat_approvals')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('chat_approvals.user_id', '=', userId)
    .where((eb) => ofStatus(eb, 'pending', now))
    .executeTakeFirst()
  const approvals = rows.map(({ thread_title, ...row }): ApprovalInfo => {
    const a = toApproval(row)
    const expired = a.status === 'expired' || (a.status === 'pending' && query.status === 'expired')
    return {
      request_id: a.request_id,
      tool_name: a.tool_name,
      description: a.description,
      parameters_preview: truncateBytes(a.parameters, PREVIEW_BYTES, '…'),
      thread_id: a.thread_id,
      thread_title: thread_title ?? null,
      turn_id: a.turn_id,
      status: expired ? 'expired' : a.status === 'pending' ? 'pending' : 'resolved',
      decisions: a.decisions,
      decision: expired ? 'expired' : a.decision,
      created_at: a.created_at,
      expires_at: a.expires_at,
      resolved_at: a.resolved_at,
    }
  })
  return { approvals, pending_count: Number(count?.n ?? 0) }
}
