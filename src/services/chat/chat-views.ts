import type { HistoryResponse, ThreadInfo, TurnInfo } from '../../protocol/chat'
import type { Streamed } from './live-text'
import type { ApprovalRecord, ThreadRecord, TurnRecord } from './port'

/** How threads, turns and approvals look on the wire. */

export function threadInfo(t: ThreadRecord, turnCount: number, active: TurnRecord['state'] | null): ThreadInfo {
  return {
    id: t.id,
    state: active === 'processing' || active === 'awaiting_approval' ? active : 'idle',
    turn_count: turnCount,
    created_at: t.created_at,
    updated_at: t.updated_at,
    ...(t.title ? { title: t.title } : typeof t.metadata?.routine_name === 'string' ? { title: t.metadata.routine_name } : {}),
    thread_type: t.kind,
    channel: t.channel,
  }
}

export const turnInfo = (t: TurnRecord): TurnInfo => ({
  id: t.id,
  turn_number: t.seq,
  user_input: t.user_input,
  image_count: t.image_count,
  response: t.response,
  state: t.state,
  error: t.error,
  started_at: t.started_at,
  completed_at: t.completed_at,
  tool_calls: t.tool_calls,
})

export const pendingApprovalInfo = (a: ApprovalRecord): NonNullable<HistoryResponse['pending_approval']> => ({
  request_id: a.request_id,
  tool_name: a.tool_name,
  description: a.description,
  parameters: a.parameters,
  allow_always: a.decisions.includes('always'),
  thread_id: a.thread_id,
  created_at: a.created_at,
  decisions: a.decisions,
  expires_at: a.expires_at,
})

export const inProgressInfo = (t: TurnRecord, streamed: Streamed | undefined): NonNullable<HistoryResponse['in_progress']> => ({
  turn_id: t.id,
  turn_number: t.seq,
  state: t.state,
  started_at: t.started_at,
  response_so_far: streamed?.text ?? t.response ?? '',
  ...(streamed?.lastEventId !== undefined ? { last_event_id: String(streamed.lastEventId) } : {}),
})
