import { badRequest, GatewayError, notFound } from '../../lib/errors'
import { titleOf } from '../../lib/text'
import { UserQuotas } from '../../config/gateway-config'
import { quotaExceeded } from '../../lib/quota'
import type { Clock } from '../../lib/time'
import type { HistoryQuery, HistoryResponse, ThreadInfo, ThreadList } from '../../protocol/chat'
import type { ApprovalList, ApprovalListQuery } from '../../protocol/approvals'
import { approvalInbox } from './approval-inbox'
import type { ChatRepository } from './chat-repository'
import { inProgressInfo, pendingApprovalInfo, threadInfo, turnInfo } from './chat-views'
import { HistoryCache } from './history-cache'
import type { LiveText } from './live-text'
import type { ThreadRecord, ThreadsPort } from './port'

/**
 * Threads and history over the chat tables: resolves the thread of a message (404 for a thread
 * the caller does not own, a new one when none is named), lists threads, pages history by turns.
 */
export class ThreadService implements ThreadsPort {
  readonly #creatingAssistant = new Map<string, Promise<ThreadRecord>>()
  readonly #pages = new HistoryCache()

  readonly #repo: ChatRepository
  readonly #clock: Clock
  /** Text of running turns, written by the turn store. */
  readonly #live: LiveText
  /** The store's write count, where it counts every write (`Store.writes`). */
  readonly #writes: (() => number) | undefined
  readonly #quotas: Pick<UserQuotas, 'threadsPerUser' | 'emptyThreadsPerUser'>

  constructor(
    repo: ChatRepository,
    clock: Clock,
    live: LiveText,
    writes?: () => number,
    quotas: Pick<UserQuotas, 'threadsPerUser' | 'emptyThreadsPerUser'> = UserQuotas.parse({}),
  ) {
    this.#repo = repo
    this.#clock = clock
    this.#live = live
    this.#writes = writes
    this.#quotas = quotas
  }

  /** 429 `quota_exceeded` when the user may not have another thread (another empty one, with `empty`). */
  async #assertRoom(userId: string, empty: boolean): Promise<void> {
    const counts = await this.#repo.threadCounts(userId)
    if (counts.total >= this.#quotas.threadsPerUser) throw quotaExceeded('threads', this.#quotas.threadsPerUser, 'continue in one of your threads')
    if (empty && counts.empty >= this.#quotas.emptyThreadsPerUser) {
      throw quotaExceeded('empty threads', this.#quotas.emptyThreadsPerUser, 'send a message in one of them before making another')
    }
  }

  async resolveThread(userId: string, threadId: string | undefined, firstMessage: string, options: { channel?: string; metadata?: Record<string, unknown>; id?: string } = {}): Promise<string> {
    if (threadId !== undefined) {
      const thread = await this.#repo.ownedThread(userId, threadId)
      if (!thread) throw notFound('thread', 'Thread not found')
      return thread.id
    }
    await this.#assertRoom(userId, false)
    const now = this.#now()
    const thread = await this.#repo.createThread({
      id: options.id ?? crypto.randomUUID(),
      user_id: userId,
      kind: 'thread',
      channel: options.channel ?? 'gateway',
      title: titleOf(firstMessage),
      metadata: options.metadata ?? null,
      created_at: now,
      updated_at: now,
    })
    return thread.id
  }

  async createThread(userId: string): Promise<ThreadInfo> {
    await this.#assertRoom(userId, true)
    const now = this.#now()
    const thread = await this.#repo.createThread({ id: crypto.randomUUID(), user_id: userId, kind: 'thread', channel: 'gateway', title: null, created_at: now, updated_at: now })
    return threadInfo(thread, 0, null)
  }

  async listThreads(userId: string, options: { limit: number }): Promise<ThreadList> {
    const assistant = await this.#assistant(userId)
    const rows = await this.#repo.listThreads(userId, options.limit + 1)
    const mine = rows.find((r) => r.id === assistant.id)
    const assistantInfo = mine
      ? threadInfo(mine, mine.turn_count, mine.active_state)
      : threadInfo(assistant, await this.#repo.turnCount(assistant.id), (await this.#repo.activeTurn(assistant.id))?.state ?? null)
    return {
      assistant_thread: assistantInfo,
      threads: rows.filter((r) => r.id !== assistant.id).slice(0, options.limit).map((r) => threadInfo(r, r.turn_count, r.active_state)),
      // The thread last talked in; a just-created empty thread is not "active".
      active_thread: (rows.find((r) => r.turn_count > 0) ?? rows[0])?.id ?? null,
    }
  }

  /**
   * `history`, rendered: the same page as JSON, kept while the thread does not move (one indexed
   * read per request when it has not; none, synchronously, while the store saw no write). A page
   * with a turn in progress is rendered every time: its streamed text lives in memory, not in the
   * version.
   */
  historyJson(userId: string, query: HistoryQuery): string | Promise<string> {
    if (query.thread_id === undefined) return this.history(userId, query).then((history) => JSON.stringify(history))
    const threadId = query.thread_id.toLowerCase()
    const page = `${query.limit} ${query.cursor ?? ''} ${query.before ?? ''}`
    // Read before the version: a write that lands after it makes the page look stale, never current.
    const writes = this.#writes?.()
    const unchanged = writes === undefined ? undefined : this.#pages.unchanged(userId, threadId, page, writes)
    return unchanged ?? this.#readHistoryJson(userId, query, threadId, page, writes)
  }

  async #readHistoryJson(userId: string, query: HistoryQuery, threadId: string, page: string, writes: number | undefined): Promise<string> {
    const version = await this.#repo.threadVersion(userId, threadId)
    if (version === undefined) throw notFound('thread', 'Thread not found')
    const kept = this.#pages.get(threadId, page, version, writes)
    if (kept !== undefined) return kept
    const history = await this.history(userId, query)
    const json = JSON.stringify(history)
    if (history.in_progress === null) this.#pages.set({ userId, threadId, page, version, writes, json })
    return json
  }

  async history(userId: string, query: HistoryQuery): Promise<HistoryResponse> {
    const thread = query.thread_id !== undefined ? await this.#repo.ownedThread(userId, query.thread_id.toLowerCase()) : await this.#repo.latestThread(userId)
    if (!thread) throw query.thread_id !== undefined ? notFound('thread', 'Thread not found') : new GatewayError(404, 'no_active_thread', 'No active thread')
    const beforeSeq = query.cursor === undefined ? undefined : decodeCursor(query.cursor)
    let beforeTime: string | undefined
    if (query.before !== undefined) {
      const ms = Date.parse(query.before)
      if (!Number.isFinite(ms)) throw badRequest('invalid_before', "Invalid 'before' timestamp")
      beforeTime = new Date(ms).toISOString()
    }
    const rows = await this.#repo.turnsBefore(thread.id, { beforeSeq, beforeTime, limit: query.limit + 1 })
    const hasMore = rows.length > query.limit
    const page = rows.slice(0, query.limit).reverse()
    const oldest = page[0]
    const pending = await this.#repo.pendingApproval(thread.id)
    const active = await this.#repo.activeTurn(thread.id)
    return {
      thread_id: thread.id,
      turns: page.map(turnInfo),
      has_more: hasMore,
      ...(hasMore && oldest ? { next_cursor: encodeCursor(oldest.seq) } : {}),
      ...(oldest ? { oldest_timestamp: oldest.started_at } : {}),
      pending_approval: pending ? pendingApprovalInfo(pending) : null,
      in_progress: active ? inProgressInfo(active, this.#live.get(active.id)) : null,
    }
  }

  approvals(userId: string, query: ApprovalListQuery): Promise<ApprovalList> {
    return approvalInbox(this.#repo.db, userId, query, this.#now())
  }

  /** The user's assistant thread, created on first use. */
  async #assistant(userId: string): Promise<ThreadRecord> {
    const found = await this.#repo.assistantThread(userId)
    if (found) return found
    let creating = this.#creatingAssistant.get(userId)
    if (!creating) {
      const now = this.#now()
      creating = this.#repo
        .createThread({ id: crypto.randomUUID(), user_id: userId, kind: 'assistant', channel: 'gateway', title: null, created_at: now, updated_at: now })
        .finally(() => this.#creatingAssistant.delete(userId))
      this.#creatingAssistant.set(userId, creating)
    }
    return creating
  }

  #now(): string {
    return new Date(this.#clock.now()).toISOString()
  }
}


/** Opaque to clients; today the turn number the next page starts below. */
const encodeCursor = (seq: number): string => btoa(`turn:${seq}`).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')

function decodeCursor(cursor: string): number {
  try {
    const text = atob(cursor.replace(/-/g, '+').replace(/_/g, '/'))
    const match = /^turn:(\d{1,9})$/.exec(text)
    if (match) return Number(match[1])
  } catch {
    // fall through
  }
  throw badRequest('invalid_cursor', 'Invalid cursor: pass the next_cursor of a previous page')
}
