import type { Db } from '../../store/database'
import type { JobsTable } from '../../store/tables/jobs'
import { isUniqueViolation } from '../../store/unique-violation'
import type { JobEventType, JobState } from '../../protocol/jobs'
import { type JobRecord, jobRow, type StoredJobEvent, toJob, toJobEvent } from './job-rows'

type JobPatch = Partial<Pick<JobsTable, 'session_id' | 'result' | 'failure_reason' | 'prompts_closed' | 'runner_id' | 'heartbeat_at' | 'started_at' | 'completed_at' | 'conversation'>>

/** SQL for jobs and their events. Status changes are compare-and-set on the current status. */
export class JobRepository {
  constructor(private readonly db: Db) {}

  async insert(job: JobRecord): Promise<void> {
    await this.db.insertInto('jobs').values(jobRow(job)).execute()
  }

  async get(id: string): Promise<JobRecord | undefined> {
    const row = await this.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst()
    return row ? toJob(row) : undefined
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
    return rows.map(toJob)
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
    return rows.map(toJob)
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
        .where('updated_at', '=', current.updated_at)
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
    return rows.map(toJobEvent)
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
