import type { Db } from '../../store/database'
import { reusableQuery } from '../../store/reusable-query'
import type { TurnState } from '../../protocol/chat'
import { approvalRow, decisionOf, threadRow, toApproval, toThread, toTurn, TURN_COLUMNS, turnPatchRow, turnRow } from './chat-rows'
import type { ApprovalDecisionTaken } from '../../protocol/approvals'
import type { ApprovalRecord, ApprovalStatus, InterruptedTurn, ThreadRecord, TurnPatch, TurnRecord } from './port'

const ACTIVE: TurnState[] = ['processing', 'awaiting_approval']

/**
 * SQL for threads, turns, approvals and always-allowed tools. Returns plain records; callers
 * check ownership (every read that takes a user id filters by it).
 */
export class ChatRepository {
  // The history route's first read, on every request: compiled once.
  readonly #version

  constructor(readonly db: Db) {
    this.#version = reusableQuery(db, (q, value) =>
      q.selectFrom('chat_threads').select('version').where('id', '=', value('threadId')).where('user_id', '=', value('userId')),
    )
  }

  // --- threads ---

  async createThread(t: Omit<ThreadRecord, 'metadata'> & { metadata?: Record<string, unknown> | null }): Promise<ThreadRecord> {
    const thread = { ...t, metadata: t.metadata ?? null }
    await this.db.insertInto('chat_threads').values(threadRow(thread)).execute()
    return thread
  }

  /** How many threads the user has, and how many of them have no turn yet. */
  async threadCounts(userId: string): Promise<{ total: number; empty: number }> {
    const row = await this.db
      .selectFrom('chat_threads')
      .where('chat_threads.user_id', '=', userId)
      .select((eb) => [
        eb.fn.countAll<number | string>().as('total'),
        eb.fn
          .count<number | string>('chat_threads.id')
          .filterWhere(eb.not(eb.exists(eb.selectFrom('chat_turns').select('chat_turns.id').whereRef('chat_turns.thread_id', '=', 'chat_threads.id'))))
          .as('empty'),
      ])
      .executeTakeFirst()
    return { total: Number(row?.total ?? 0), empty: Number(row?.empty ?? 0) }
  }

  async ownedThread(userId: string, threadId: string): Promise<ThreadRecord | undefined> {
    const row = await this.db.selectFrom('chat_threads').selectAll().where('id', '=', threadId).where('user_id', '=', userId).executeTakeFirst()
    return row && toThread(row)
  }

  /** The thread's version (raised by the database on every write to its turns and approvals), if the user owns it. */
  async threadVersion(userId: string, threadId: string): Promise<number | undefined> {
    const [row] = await this.#version({ threadId, userId })
    return row && Number(row.version)
  }

  async assistantThread(userId: string): Promise<ThreadRecord | undefined> {
    const row = await this.db
      .selectFrom('chat_threads')
      .selectAll()
      .where('user_id', '=', userId)
      .where('kind', '=', 'assistant')
      .orderBy('created_at')
      .executeTakeFirst()
    return row && toThread(row)
  }

  async latestThread(userId: string): Promise<ThreadRecord | undefined> {
    const row = await this.db.selectFrom('chat_threads').selectAll().where('user_id', '=', userId).orderBy('updated_at', 'desc').orderBy('id', 'desc').executeTakeFirst()
    return row && toThread(row)
  }

  /** The user's threads, newest activity first, with turn counts and whether one is running. */
  async listThreads(userId: string, limit: number): Promise<Array<ThreadRecord & { turn_count: number; active_state: TurnState | null }>> {
    const rows = await this.db
      .selectFrom('chat_threads')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('updated_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute()
    if (rows.length === 0) return []
    const ids = rows.map((r) => r.id)
    const counts = await this.db
      .selectFrom('chat_turns')
      .select(['thread_id', (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('thread_id', 'in', ids)
      .groupBy('thread_id')
      .execute()
    const active = await this.db.selectFrom('chat_turns').select(['thread_id', 'state']).where('thread_id', 'in', ids).where('state', 'in', ACTIVE).execute()
    const countOf = new Map(counts.map((c) => [c.thread_id, Number(c.n)]))
    const stateOf = new Map(active.map((a) => [a.thread_id, a.state as TurnState]))
    return rows.map((r) => ({ ...toThread(r), turn_count: countOf.get(r.id) ?? 0, active_state: stateOf.get(r.id) ?? null }))
  }

  /** Marks activity; gives an untitled thread its title. */
  async touchThread(threadId: string, at: string, title?: string): Promise<void> {
    await this.db.updateTable('chat_threads').set({ updated_at: at }).where('id', '=', threadId).execute()
    if (title) await this.db.updateTable('chat_threads').set({ title }).where('id', '=', threadId).where('title', 'is', null).execute()
  }

  async turnCount(threadId: string): Promise<number> {
    const row = await this.db.selectFrom('chat_turns').select((eb) => eb.fn.countAll<number | string>().as('n')).where('thread_id', '=', threadId).executeTakeFirst()
    return Number(row?.n ?? 0)
  }

  // --- turns ---

  async insertTurn(t: TurnRecord, leaseUntil: string | null = null): Promise<void> {
    await this.db.insertInto('chat_turns').values(turnRow(t, leaseUntil)).execute()
  }

  async nextSeq(threadId: string): Promise<number> {
    const row = await this.db.selectFrom('chat_turns').select((eb) => eb.fn.max('seq').as('max')).where('thread_id', '=', threadId).executeTakeFirst()
    return row?.max === null || row?.max === undefined ? 0 : Number(row.max) + 1
  }

  async updateTurn(turnId: string, patch: TurnPatch & { lease_until?: string | null }): Promise<void> {
    const set = turnPatchRow(patch)
    if (Object.keys(set).length === 0) return
    await this.db.updateTable('chat_turns').set(set).where('id', '=', turnId).execute()
  }

  /** A whole turn, images included (to run or resume it). */
  async getTurn(turnId: string): Promise<TurnRecord | undefined> {
    const row = await this.db.selectFrom('chat_turns').selectAll().where('id', '=', turnId).executeTakeFirst()
    return row && toTurn(row)
  }

  /** The thread's running or paused turn. */
  async activeTurn(threadId: string): Promise<TurnRecord | undefined> {
    const row = await this.db.selectFrom('chat_turns').select(TURN_COLUMNS).where('thread_id', '=', threadId).where('state', 'in', ACTIVE).orderBy('seq', 'desc').executeTakeFirst()
    return row && toTurn(row)
  }

  /** Newest-first page of turns with `seq < beforeSeq` (or started before `beforeTime`); `limit + 1` rows tell whether more exist. */
  async turnsBefore(threadId: string, options: { beforeSeq?: number | undefined; beforeTime?: string | undefined; limit: number }): Promise<TurnRecord[]> {
    let q = this.db.selectFrom('chat_turns').select(TURN_COLUMNS).where('thread_id', '=', threadId)
    if (options.beforeSeq !== undefined) q = q.where('seq', '<', options.beforeSeq)
    if (options.beforeTime !== undefined) q = q.where('started_at', '<', options.beforeTime)
    const rows = await q.orderBy('seq', 'desc').limit(options.limit).execute()
    return rows.map(toTurn)
  }

  /** Extends the lease of turns this process is running; returns those still running in the database. */
  async renewLeases(turnIds: string[], until: string): Promise<Set<string>> {
    if (turnIds.length === 0) return new Set()
    const rows = await this.db.updateTable('chat_turns').set({ lease_until: until }).where('id', 'in', turnIds).where('state', '=', 'processing').returning('id').execute()
    return new Set(rows.map((r) => r.id))
  }

  /**
   * Marks `interrupted` the turns left `processing` by a process that stopped (crash, kill): with
   * `all`, every one (this process is the database's only user); else those whose lease ran out.
   * `except` are the turns this process is running (never its own, even with a lapsed lease: a
   * slow database must not make an instance stop itself). Returns the turns it marked; on
   * PostgreSQL each row is claimed by exactly one instance's update, so each is reported once.
   */
  async interruptStaleTurns(message: string, at: string, options: { all: boolean; except?: readonly string[] }): Promise<InterruptedTurn[]> {
    let q = this.db.updateTable('chat_turns').set({ state: 'interrupted', error: message, completed_at: at, lease_until: null }).where('state', '=', 'processing')
    if (!options.all) q = q.where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', at)]))
    if (options.except?.length) q = q.where('id', 'not in', [...options.except])
    const rows = await q.returning(['id', 'user_id', 'thread_id', 'user_input']).execute()
    return rows.map((r) => ({ id: r.id, userId: r.user_id, threadId: r.thread_id, userInput: r.user_input }))
  }

  /** Resolves as `expired` the approvals still pending for these turns; returns the ones it resolved. */
  async expireApprovalsOf(turnIds: readonly string[], at: string): Promise<ApprovalRecord[]> {
    if (turnIds.length === 0) return []
    const rows = await this.db
      .updateTable('chat_approvals')
      .set({ status: 'expired', decision: 'expired', resolved_at: at })
      .where('turn_id', 'in', [...turnIds])
      .where('status', '=', 'pending')
      .returningAll()
      .execute()
    return rows.map(toApproval)
  }

  /** Resolves as `expired` the pending approvals due by `at`; one conditional update, so each is claimed once across instances. */
  async expireDueApprovals(at: string): Promise<ApprovalRecord[]> {
    const rows = await this.db
      .updateTable('chat_approvals')
      .set({ status: 'expired', decision: 'expired', resolved_at: at })
      .where('status', '=', 'pending')
      .where('expires_at', 'is not', null)
      .where('expires_at', '<=', at)
      .returningAll()
      .execute()
    return rows.map(toApproval)
  }

  // --- approvals ---

  /** Pauses a turn and records its approval request, atomically. */
  async pauseTurn(turnId: string, patch: TurnPatch, approval: ApprovalRecord): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await new ChatRepository(trx).updateTurn(turnId, { ...patch, state: 'awaiting_approval' })
      await trx.insertInto('chat_approvals').values(approvalRow(approval)).execute()
    })
  }

  async getApproval(requestId: string): Promise<ApprovalRecord | undefined> {
    const row = await this.db.selectFrom('chat_approvals').selectAll().where('request_id', '=', requestId).executeTakeFirst()
    return row && toApproval(row)
  }

  async pendingApproval(threadId: string): Promise<ApprovalRecord | undefined> {
    const row = await this.db
      .selectFrom('chat_approvals')
      .selectAll()
      .where('thread_id', '=', threadId)
      .where('status', '=', 'pending')
      .orderBy('created_at', 'desc')
      .executeTakeFirst()
    return row && toApproval(row)
  }

  /** Moves a request out of `pending`. Returns false when another answer got there first. */
  async resolveApproval(requestId: string, status: Exclude<ApprovalStatus, 'pending'>, at: string, decision: ApprovalDecisionTaken = decisionOf(status)): Promise<boolean> {
    const result = await this.db
      .updateTable('chat_approvals')
      .set({ status, decision, resolved_at: at })
      .where('request_id', '=', requestId)
      .where('status', '=', 'pending')
      .executeTakeFirst()
    return Number(result.numUpdatedRows) === 1
  }

  // --- always-allowed tools ---

  async isAlwaysAllowed(userId: string, toolName: string): Promise<boolean> {
    const row = await this.db.selectFrom('tool_permissions').select('tool_name').where('user_id', '=', userId).where('tool_name', '=', toolName).executeTakeFirst()
    return row !== undefined
  }

  async allowAlways(userId: string, toolName: string, at: string): Promise<void> {
    await this.db
      .insertInto('tool_permissions')
      .values({ user_id: userId, tool_name: toolName, created_at: at })
      .onConflict((oc) => oc.columns(['user_id', 'tool_name']).doNothing())
      .execute()
  }

  async deleteUser(userId: string): Promise<void> {
    await this.db.deleteFrom('chat_approvals').where('user_id', '=', userId).execute()
    await this.db.deleteFrom('chat_turns').where('user_id', '=', userId).execute()
    await this.db.deleteFrom('chat_threads').where('user_id', '=', userId).execute()
    await this.db.deleteFrom('tool_permissions').where('user_id', '=', userId).execute()
  }
}
