import type { Db } from '../../store/database'
import type { RunStatus, TriggerType } from '../../protocol/routines'
import { parseTrigger, type RoutinePatch, type RoutineRecord, routinePatchRow, routineRow, type RunRecord, toRoutine, toRun } from './routine-rows'

/** SQL for routines and runs; returns plain records. */
export class RoutineRepository {
  constructor(private readonly db: Db) {}

  async insert(r: RoutineRecord): Promise<void> {
    await this.db.insertInto('routines').values(routineRow(r)).execute()
  }

  async get(id: string): Promise<RoutineRecord | undefined> {
    const row = await this.db.selectFrom('routines').selectAll().where('id', '=', id).executeTakeFirst()
    return row ? toRoutine(row) : undefined
  }

  async owned(userId: string, id: string): Promise<RoutineRecord | undefined> {
    const row = await this.db.selectFrom('routines').selectAll().where('id', '=', id).where('user_id', '=', userId).executeTakeFirst()
    return row ? toRoutine(row) : undefined
  }

  async list(userId: string): Promise<RoutineRecord[]> {
    const rows = await this.db.selectFrom('routines').selectAll().where('user_id', '=', userId).orderBy('created_at', 'desc').orderBy('id').execute()
    return rows.map(toRoutine)
  }

  async countOwned(userId: string): Promise<number> {
    const row = await this.db.selectFrom('routines').select((eb) => eb.fn.countAll<number | string>().as('n')).where('user_id', '=', userId).executeTakeFirst()
    return Number(row?.n ?? 0)
  }

  async byWebhookPath(path: string): Promise<RoutineRecord | undefined> {
    const row = await this.db.selectFrom('routines').selectAll().where('webhook_path', '=', path).executeTakeFirst()
    return row ? toRoutine(row) : undefined
  }

  async webhookPathTaken(path: string, exceptId?: string): Promise<boolean> {
    let q = this.db.selectFrom('routines').select('id').where('webhook_path', '=', path)
    if (exceptId) q = q.where('id', '!=', exceptId)
    return (await q.executeTakeFirst()) !== undefined
  }

  /** Enabled routines of one user with this trigger type (event matching). */
  async enabledOfType(userId: string, type: TriggerType): Promise<RoutineRecord[]> {
    const rows = await this.db
      .selectFrom('routines')
      .selectAll()
      .where('user_id', '=', userId)
      .where('trigger_type', '=', type)
      .where('enabled', '=', true)
      .execute()
    return rows.map(toRoutine)
  }

  /** Every enabled `system_event` routine's owner and event type, for the in-memory filter. */
  async watchedEvents(): Promise<Array<{ userId: string; eventType: string }>> {
    const rows = await this.db.selectFrom('routines').select(['user_id', 'trigger']).where('trigger_type', '=', 'system_event').where('enabled', '=', true).execute()
    return rows.flatMap((r) => {
      const trigger = parseTrigger(r.trigger)
      return trigger?.type === 'system_event' ? [{ userId: r.user_id, eventType: trigger.event_type }] : []
    })
  }

  async update(id: string, patch: RoutinePatch): Promise<void> {
    await this.db.updateTable('routines').set(routinePatchRow(patch)).where('id', '=', id).execute()
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('routine_runs').where('routine_id', '=', id).execute()
    await this.db.deleteFrom('routines').where('id', '=', id).execute()
  }

  async deleteUser(userId: string): Promise<void> {
    await this.db.deleteFrom('routine_runs').where('user_id', '=', userId).execute()
    await this.db.deleteFrom('routines').where('user_id', '=', userId).execute()
  }

  // --- scheduling ---

  /** Enabled cron routines whose slot is at or before `now`, oldest slot first. */
  async due(now: string, limit: number): Promise<Array<Pick<RoutineRecord, 'id' | 'next_fire_at' | 'trigger'>>> {
    const rows = await this.db
      .selectFrom('routines')
      .select(['id', 'next_fire_at', 'trigger'])
      .where('enabled', '=', true)
      .where('trigger_type', '=', 'cron')
      .where('next_fire_at', 'is not', null)
      .where('next_fire_at', '<=', now)
      .orderBy('next_fire_at')
      .limit(limit)
      .execute()
    return rows.flatMap((r) => {
      const trigger = parseTrigger(r.trigger)
      return trigger ? [{ id: r.id, next_fire_at: r.next_fire_at, trigger }] : []
    })
  }

  /**
   * Takes a slot: moves `next_fire_at` from `slot` to `next` only if it still is `slot`. The
   * row is locked by the UPDATE, so of several instances racing for the slot exactly one sees
   * a changed row (PostgreSQL re-checks the WHERE after the winner commits; SQLite has one writer).
   */
  async claimSlot(id: string, slot: string, next: string | null, now: string): Promise<boolean> {
    const result = await this.db
      .updateTable('routines')
      .set({ next_fire_at: next, updated_at: now })
      .where('id', '=', id)
      .where('next_fire_at', '=', slot)
      .where('enabled', '=', true)
      .executeTakeFirst()
    return Number(result.numUpdatedRows) === 1
  }

  /** The earliest slot of any enabled routine (what the scheduler's timer waits for). */
  async earliestSlot(): Promise<string | null> {
    const row = await this.db
      .selectFrom('routines')
      .select((eb) => eb.fn.min('next_fire_at').as('next'))
      .where('enabled', '=', true)
      .where('trigger_type', '=', 'cron')
      .executeTakeFirst()
    return (row?.next as string | null | undefined) ?? null
  }

  // --- runs ---

  /** Inserts a run; false when a run with the same trigger key exists (already fired). */
  async insertRun(run: RunRecord): Promise<boolean> {
    const result = await this.db
      .insertInto('routine_runs')
      .values(run)
      .onConflict((oc) => oc.columns(['routine_id', 'trigger_key']).doNothing())
      .executeTakeFirst()
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1
  }

  /** Runs in progress that started after `since` (older ones were abandoned by a stopped instance). */
  async runningCount(routineId: string, since: string): Promise<number> {
    const row = await this.db
      .selectFrom('routine_runs')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('routine_id', '=', routineId)
      .where('status', '=', 'running')
      .where('started_at', '>', since)
      .executeTakeFirst()
    return Number(row?.n ?? 0)
  }

  async finishRun(id: string, fields: Pick<RunRecord, 'status' | 'result_summary' | 'tokens_used' | 'job_id' | 'completed_at'>): Promise<void> {
    await this.db
      .updateTable('routine_runs')
      .set(fields)
      .where('id', '=', id)
      .execute()
  }

  /** Counts a run as started: `run_count`, `last_run_at`. */
  async recordStart(id: string, at: string): Promise<void> {
    await this.db
      .updateTable('routines')
      .set((eb) => ({ run_count: eb('run_count', '+', 1), last_run_at: at, updated_at: at }))
      .where('id', '=', id)
      .execute()
  }

  /** Counts a run as ended: failures in a row, last status, verified after the first `ok`. */
  async recordEnd(id: string, status: RunStatus, at: string): Promise<void> {
    await this.db
      .updateTable('routines')
      .set((eb) => ({
        last_status: status,
        consecutive_failures: status === 'failed' ? eb('consecutive_failures', '+', 1) : eb.val(0),
        ...(status === 'ok' ? { is_verified: true } : {}),
        updated_at: at,
      }))
      .where('id', '=', id)
      .execute()
  }

  /** Newest first; `before` = `[started_at, id]` of the last run of the previous page. */
  async runs(routineId: string, limit: number, before?: { started_at: string; id: string }): Promise<RunRecord[]> {
    let q = this.db.selectFrom('routine_runs').selectAll().where('routine_id', '=', routineId)
    if (before) {
      q = q.where((eb) => eb.or([eb('started_at', '<', before.started_at), eb.and([eb('started_at', '=', before.started_at), eb('id', '<', before.id)])]))
    }
    const rows = await q.orderBy('started_at', 'desc').orderBy('id', 'desc').limit(limit).execute()
    return rows.map(toRun)
  }

  /** Marks failed the runs still `running` that started before `before` (all when omitted); returns how many. */
  async failAbandonedRuns(reason: string, at: string, before?: string): Promise<number> {
    let q = this.db.updateTable('routine_runs').set({ status: 'failed', result_summary: reason, completed_at: at }).where('status', '=', 'running')
    if (before !== undefined) q = q.where('started_at', '<', before)
    const result = await q.executeTakeFirst()
    return Number(result.numUpdatedRows)
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    const row = await this.db.selectFrom('routine_runs').selectAll().where('id', '=', id).executeTakeFirst()
    return row ? toRun(row) : undefined
  }
}
