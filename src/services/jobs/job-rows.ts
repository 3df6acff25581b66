import type { Selectable } from 'kysely'
import { z } from 'zod'
import { type JobEventType, type JobKind, type JobState, JobTransition } from '../../protocol/jobs'
import { parseColumn } from '../../store/json-column'
import type { JobEventsTable, JobsTable } from '../../store/tables/jobs'
import { ConversationTurn } from './agent-port'

/**
 * A job as the service sees it: the `jobs` row, its JSON columns parsed. Records keep the
 * columns' names (which are the API's), so this file is the one mapping between the two.
 */
export type JobRecord = Omit<JobsTable, 'kind' | 'status' | 'transitions' | 'conversation'> & {
  kind: JobKind
  status: JobState
  transitions: JobTransition[]
  conversation: ConversationTurn[]
}

export type StoredJobEvent = Pick<Selectable<JobEventsTable>, 'seq' | 'created_at'> & { type: JobEventType; data: Record<string, unknown> }

const Transitions = z.array(JobTransition)
const Conversation = z.array(ConversationTurn)
const EventData = z.record(z.string(), z.unknown())

export const toJob = (row: JobsTable): JobRecord => ({
  ...row,
  kind: row.kind as JobKind,
  status: row.status as JobState,
  input_tokens: Number(row.input_tokens),
  output_tokens: Number(row.output_tokens),
  transitions: parseColumn(Transitions, row.transitions, []),
  conversation: parseColumn(Conversation, row.conversation, []),
  prompts_closed: Boolean(row.prompts_closed),
})

export const jobRow = (job: JobRecord): JobsTable => ({ ...job, transitions: JSON.stringify(job.transitions), conversation: JSON.stringify(job.conversation) })

export const toJobEvent = (row: Pick<Selectable<JobEventsTable>, 'seq' | 'type' | 'data' | 'created_at'>): StoredJobEvent => ({
  seq: Number(row.seq),
  type: row.type as JobEventType,
  data: parseColumn(EventData, row.data, {}),
  created_at: row.created_at,
})
