import type { Insertable, Selectable } from 'kysely'
import { z } from 'zod'
import { LlmMessage, ToolCall } from '../../llm/messages'
import { ApprovalAction, TurnToolCall, type ImageAttachment, type TurnState } from '../../protocol/chat'
import { ApprovalDecisionTaken } from '../../protocol/approvals'
import { parseColumn } from '../../store/json-column'
import type { ChatApprovalsTable, ChatThreadsTable, ChatTurnsTable } from '../../store/tables/chat'
import type { ApprovalRecord, ApprovalStatus, ThreadRecord, TurnPatch, TurnRecord } from './port'

/**
 * The one mapping between the chat tables and their records: records keep the columns' names,
 * so a row becomes a record by parsing its JSON columns (and reading numbers, which PostgreSQL
 * may hand back as text) and a record becomes a row by serialising them.
 */

/** Stored images were validated on the way in; reading them back skips the base64 scan. */
const ImagesJson = z.array(z.object({ media_type: z.string(), data: z.string() }))
const ToolCallsJson = z.array(TurnToolCall)
const TranscriptJson = z.array(LlmMessage)
const PendingCallsJson = z.array(ToolCall)
const MetadataJson = z.record(z.string(), z.unknown())
const Status = z.enum(['pending', 'approved', 'denied', 'cancelled', 'expired']).catch('cancelled')

/** Columns of a turn except the (possibly large) images and the lease. */
export const TURN_COLUMNS = [
  'id', 'thread_id', 'user_id', 'seq', 'user_input', 'image_count', 'response', 'state', 'error', 'tool_calls', 'transcript',
  'pending_calls', 'steps', 'input_tokens', 'output_tokens', 'cost_usd', 'model', 'source', 'timezone', 'started_at', 'completed_at',
] as const

type TurnRow = Omit<Selectable<ChatTurnsTable>, 'images' | 'lease_until'> & { images?: string | null }

export const toThread = ({ version: _, ...r }: Selectable<ChatThreadsTable>): ThreadRecord => ({
  ...r,
  kind: r.kind === 'assistant' ? 'assistant' : 'thread',
  metadata: parseColumn(MetadataJson, r.metadata, null),
})

export const threadRow = (t: ThreadRecord): Insertable<ChatThreadsTable> => ({ ...t, metadata: t.metadata ? JSON.stringify(t.metadata) : null })

export const toTurn = (r: TurnRow): TurnRecord => ({
  ...r,
  seq: Number(r.seq),
  images: parseColumn(ImagesJson, r.images ?? null, []) as ImageAttachment[],
  image_count: Number(r.image_count),
  state: r.state as TurnState,
  tool_calls: parseColumn(ToolCallsJson, r.tool_calls, []),
  transcript: parseColumn(TranscriptJson, r.transcript, []),
  pending_calls: parseColumn(PendingCallsJson, r.pending_calls, null),
  steps: Number(r.steps),
  input_tokens: Number(r.input_tokens),
  output_tokens: Number(r.output_tokens),
  cost_usd: Number(r.cost_usd),
})

export const turnRow = (t: TurnRecord, leaseUntil: string | null): Insertable<ChatTurnsTable> => ({
  ...t,
  images: t.images.length ? JSON.stringify(t.images) : null,
  image_count: t.images.length,
  tool_calls: JSON.stringify(t.tool_calls),
  transcript: JSON.stringify(t.transcript),
  pending_calls: t.pending_calls ? JSON.stringify(t.pending_calls) : null,
  cost_usd: t.cost_usd.toFixed(6),
  lease_until: t.state === 'processing' ? leaseUntil : null,
})

/** The columns a patch sets; a turn that stops running gives up its lease. */
export function turnPatchRow(patch: TurnPatch & { lease_until?: string | null }): Partial<Selectable<ChatTurnsTable>> {
  const { tool_calls, transcript, pending_calls, cost_usd, ...plain } = patch
  const set: Partial<Selectable<ChatTurnsTable>> = { ...plain }
  if (tool_calls !== undefined) set.tool_calls = JSON.stringify(tool_calls)
  if (transcript !== undefined) set.transcript = JSON.stringify(transcript)
  if (pending_calls !== undefined) set.pending_calls = pending_calls ? JSON.stringify(pending_calls) : null
  if (cost_usd !== undefined) set.cost_usd = cost_usd.toFixed(6)
  if (patch.state !== undefined && patch.state !== 'processing') set.lease_until = null
  for (const key of Object.keys(set) as Array<keyof typeof set>) if (set[key] === undefined) delete set[key]
  return set
}

const DecisionsJson = z.array(ApprovalAction)
const ALL_DECISIONS: ApprovalAction[] = ['approve', 'deny', 'always']

export const toApproval = (r: Selectable<ChatApprovalsTable>): ApprovalRecord => ({
  ...r,
  status: Status.parse(r.status) as ApprovalStatus,
  expires_at: r.expires_at ?? null,
  decisions: parseColumn(DecisionsJson, r.decisions, ALL_DECISIONS),
  decision: r.decision === null ? null : ApprovalDecisionTaken.catch('cancelled').parse(r.decision),
})

export const approvalRow = (a: ApprovalRecord): Insertable<ChatApprovalsTable> => ({ ...a, decisions: JSON.stringify(a.decisions) })

/** The decision an approval's final status stands for, when the answer did not say (`always` does). */
export const decisionOf = (status: Exclude<ApprovalStatus, 'pending'>): ApprovalDecisionTaken =>
  status === 'approved' ? 'approve' : status === 'denied' ? 'deny' : status
