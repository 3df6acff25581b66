import { z } from 'zod'
import type { Db } from '../../store/database'
import type { JobsTable } from '../../store/tables/jobs'
import { parseColumn } from '../../store/json-column'
import { isUniqueViolation } from '../../store/unique-violation'
import { type JobEventType, type JobKind, type JobState, JobTransition } from '../../protocol/jobs'

/** One earlier prompt or final answer of a job, replayed to the agent on follow-up turns. */
export const ConversationTurn = z.object({ role: z.enum(['user', 'assistant']), content: z.string() })
export type ConversationTurn = z.infer<typeof ConversationTurn>

const Transitions = z.array(JobTransition)
const Conversation = z.array(ConversationTurn)

/** A job as the service sees it (parsed JSON, camelCase). */
export interface JobRecord {
  id: string
  userId: string
  title: string
  prompt: string
  kind: JobKind
  command: string | null
  status: JobState
  workspaceId: string
  threadId: string | null
  restartedFrom: string | null
  sessionId: string | null
  result: string | null
  failureReason: string | null
  inputTokens: number
  outputTokens: number
  transitions: JobTransition[]
  conversation: ConversationTurn[]
  promptsClosed: boolean
  runnerId: string | null
  heartbeatAt: string | null
  createdAt: string
  updatedAt: string
  startedAt: string | null
  completedAt: string | null
}

export interface StoredJobEvent {
  seq: number
  type: JobEventType
  data: Record<string, unknown>
  createdAt: string
}

type JobPatch = Partial<Pick<JobsTable, 'session_id' | 'result' | 'failure_reason' | 'prompts_closed' | 'runner_id' | 'heartbeat_at' | 'started_at' | 'completed_at' | 'conversation'>>


function toRecord(row: JobsTable): JobRecord {
  return {
    id: row.id,
    userId: row.user_id,
    title: row.title,
    prompt: row.prompt,
    kind: row.kind as JobKind,
    command: row.command,
    status: row.status as JobState,
    workspaceId: row.workspace_id,
    threadId: row.thread_id,
    restartedFrom: row.restarted_from,
    sessionId: row.session_id,
    result: row.result,
    failureReason: row.failure_reason,
    inputTokens: Number(row.input_tokens),
    outputTokens: Number(row.output_tokens),
    transitions: parseColumn(Transitions, row.transitions, []),
    conversation: parseColumn(Conversation, row.conversation, []),
    promptsClosed: row.prompts_closed,
    runnerId: row.runner_id,
    heartbeatAt: row.heartbeat_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    startedAt: row.started_at,
    completedAt: row.completed_at,
  }
}


/** SQL for jobs and their events. Status changes are compare-and-set on the current status. */
export class JobRepository {
  constructor(private readonly db: Db) {}

  async insert(job: Omit<JobRecord, 'transitions' | 'conversation' | 'updatedAt'> & { transitions: JobTransition[]; conversation: ConversationTurn[] }): Promise<void> {
    await this.db
      .insertInto('jobs')
      .values({
        id: job.id,
        user_id: job.userId,
        title: job.title,
        prompt: job.prompt,
        kind: job.kind,
        command: job.command,
        status: job.status,
        workspace_id: job.workspaceId,
        thread_id: job.threadId,
        restarted_from: job.restartedFrom,
        session_id: job.sessionId,
        result: job.result,
        failure_reason: job.failureReason,
        input_tokens: job.inputTokens,
        output_tokens: job.outputTokens,
        transitions: JSON.stringify(job.transitions),
        conversation: JSON.stringify(job.conversation),
        prompts_closed: job.promptsClosed,
        runner_id: job.runnerId,
        heartbeat_at: job.heartbeatAt,
        created_at: job.createdAt,
        updated_at: job.createdAt,
        started_at: job.startedAt,
        completed_at: job.completedAt,
      })
      .execute()
  }

  async get(id: string): Promise<JobRecord | undefined> {
    const row = await this.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst()
    return row ? toRecord(row) : undefined
  }

  async list(userId: string, limit: number): Promise<JobRecord[]> {
    const rows = await this.db
      .selectFrom('jobs')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute()
    return rows.map(toRecord)
  }

  async countByStatus(userId: string): Promise<Map<string, number>> {
    const rows = await this.db
      .selectFrom('jobs')
      .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
      .where('user_id', '=', userId)
      .groupBy('status')
      .execute()
    return new Map(rows.map((r) => [r.status, Number(r.n)]))
  }

  /** Jobs in these states, oldest first (start-up recovery, the pending queue). */
  async withStatus(statuses: readonly JobState[]): Promise<JobRecord[]> {
    const rows = await this.db.selectFrom('jobs').selectAll().where('status', 'in', statuses).orderBy('created_at').execute()
    return rows.map(toRecord)
  }

  /** Whether another pending or running job works in this directory. */
  async workspaceBusy(workspaceId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('jobs')
      .select('id')
      .where('workspace_id', '=', workspaceId)
      .where('status', 'in', ['pending', 'running'])
      .executeTakeFirst()
    return row !== undefined
  }

  /**
   * Moves a job from one of `from` to `to`, appending the transition. Returns the updated job, or
   * undefined when it was not in one of `from` (someone else moved it first).
   */
  async transition(
    id: string,
    from: readonly JobState[],
    to: JobState,
    options: { reason?: string | null; now: string; patch?: JobPatch },
  ): Promise<JobRecord | undefined> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = await this.get(id)
      if (!current || !from.includes(current.status)) return undefined
      const transitions = [...current.transitions, { from: current.status, to, timestamp: options.now, reason: options.reason ?? null }]
      const result = await this.db
        .updateTable('jobs')
        .set({ ...options.patch, status: to, transitions: JSON.stringify(transitions), updated_at: options.now })
        .where('id', '=', id)
        .where('status', '=', current.status)
        .where('updated_at', '=', current.updatedAt)
        .executeTakeFirst()
      if (Number(result.numUpdatedRows) === 1) return this.get(id)
    }
    return undefined
  }

  async update(id: string, patch: JobPatch, now: string): Promise<void> {
    await this.db.updateTable('jobs').set({ ...patch, updated_at: now }).where('id', '=', id).execute()
  }

  async addUsage(id: string, inputTokens: number, outputTokens: number): Promise<void> {
    if (inputTokens <= 0 && outputTokens <= 0) return
    await this.db
      .updateTable('jobs')
      .set((eb) => ({
        input_tokens: eb('input_tokens', '+', Math.max(0, Math.round(inputTokens))),
        output_tokens: eb('output_tokens', '+', Math.max(0, Math.round(outputTokens))),
      }))
      .where('id', '=', id)
      .execute()
  }

  /** Marks this instance's running jobs as alive (instances on a shared database tell theirs apart by it). */
  async heartbeat(runnerId: string, ids: readonly string[], now: string): Promise<void> {
    if (ids.length === 0) return
    await this.db.updateTable('jobs').set({ heartbeat_at: now }).where('runner_id', '=', runnerId).where('id', 'in', ids).execute()
  }

  /** Appends an event with the next per-job sequence number. */
  async appendEvent(jobId: string, userId: string, type: JobEventType, data: Record<string, unknown>, now: string): Promise<number> {
    const json = JSON.stringify(data)
    for (let attempt = 0; ; attempt++) {
      const row = await this.db
        .selectFrom('job_events')
        .select((eb) => eb.fn.max('seq').as('max'))
        .where('job_id', '=', jobId)
        .executeTakeFirst()
      const seq = Number(row?.max ?? 0) + 1
      try {
        await this.db.insertInto('job_events').values({ job_id: jobId, user_id: userId, seq, type, data: json, created_at: now }).execute()
        return seq
      } catch (error) {
        // Another instance wrote this seq first: take the next one.
        if (!isUniqueViolation(error) || attempt >= 5) throw error
      }
    }
  }

  async events(jobId: string, afterSeq: number, limit: number): Promise<StoredJobEvent[]> {
    const rows = await this.db
      .selectFrom('job_events')
      .select(['seq', 'type', 'data', 'created_at'])
      .where('job_id', '=', jobId)
      .where('seq', '>', afterSeq)
      .orderBy('seq')
      .limit(limit)
      .execute()
    return rows.map((r) => ({
      seq: Number(r.seq),
      type: r.type as JobEventType,
      data: parseColumn(z.record(z.string(), z.unknown()), r.data, {}),
      createdAt: r.created_at,
    }))
  }

  /** Deletes a user's jobs and events; returns the workspace ids to remove from disk. */
  async deleteUser(userId: string): Promise<string[]> {
    const rows = await this.db.selectFrom('jobs').select('workspace_id').where('user_id', '=', userId).execute()
    await this.db.deleteFrom('job_events').where('user_id', '=', userId).execute()
    await this.db.deleteFrom('jobs').where('user_id', '=', userId).execute()
    return [...new Set(rows.map((r) => r.workspace_id))]
  }

  /** The named secret, created on first use (instances sharing a database agree on one). */
  async signingSecret(name: string, generate: () => string, now: string): Promise<string> {
    const existing = await this.db.selectFrom('job_signing_keys').select('secret').where('name', '=', name).executeTakeFirst()
    if (existing) return existing.secret
    try {
      await this.db.insertInto('job_signing_keys').values({ name, secret: generate(), created_at: now }).execute()
    } catch (error) {
      if (!isUniqueViolation(error)) throw error
    }
    const row = await this.db.selectFrom('job_signing_keys').select('secret').where('name', '=', name).executeTakeFirstOrThrow()
    return row.secret
  }
}
