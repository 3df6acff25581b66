import { signal } from '@preact/signals'
import { api, ApiError } from '../api/index'
import type { HistoryResponse, ThreadList, TurnInfo } from '../api/types'
import { joinStreamed, mergeTurns } from '../lib/turns'
import { newKey, setTurns, turnsOf, updateTurn } from './live-turns'
import { errorMessage, toast } from './toasts'

/**
 * The thread list and each thread's stored history (pages of turns, loaded newest first and
 * extended upwards), reconciled with the live turns of the stream.
 */
export interface HistoryState {
  turns: TurnInfo[]
  hasMore: boolean
  /** Where the next older page starts (`before` timestamp or opaque cursor). */
  older: { before?: string | null; cursor?: string | null }
  loading: boolean
  loadingOlder: boolean
  error: ApiError | null
  pendingApproval: HistoryResponse['pending_approval']
}

export const threads = signal<ThreadList | null>(null)
export const threadsError = signal<ApiError | null>(null)
export const histories = signal<Record<string, HistoryState>>({})

let threadsTimer: ReturnType<typeof setTimeout> | undefined
export async function loadThreads(): Promise<void> {
  try {
    threads.value = await api.chat.threads()
    threadsError.value = null
  } catch (error) {
    threadsError.value = error instanceof ApiError ? error : new ApiError(0, 'error', errorMessage(error))
  }
}
/** Coalesces thread-list refreshes triggered by a burst of events. */
export const refreshThreads = (): void => {
  clearTimeout(threadsTimer)
  threadsTimer = setTimeout(() => void loadThreads(), 400)
}

function setHistory(threadId: string, patch: Partial<HistoryState>): void {
  const current = histories.value[threadId] ?? { turns: [], hasMore: false, older: {}, loading: false, loadingOlder: false, error: null, pendingApproval: null }
  histories.value = { ...histories.value, [threadId]: { ...current, ...patch } }
}

/** Finished live turns that history now holds are forgotten (they show from history). */
function dropConsumed(threadId: string): void {
  const h = histories.value[threadId]
  if (!h) return
  const { consumed } = mergeTurns(h.turns, turnsOf(threadId))
  if (consumed.length) setTurns(threadId, turnsOf(threadId).filter((t) => !consumed.includes(t.key)))
}

export async function loadHistory(threadId: string): Promise<void> {
  if (!threadId) return
  setHistory(threadId, { loading: true })
  try {
    const page = await api.chat.history(threadId)
    setHistory(threadId, {
      turns: page.turns,
      hasMore: page.has_more,
      older: { before: page.oldest_timestamp ?? null, cursor: page.next_cursor ?? null },
      loading: false,
      error: null,
      pendingApproval: page.pending_approval ?? null,
    })
    if (page.in_progress) seedRunningTurn(threadId, page)
    dropConsumed(threadId)
  } catch (error) {
    setHistory(threadId, { loading: false, error: error instanceof ApiError ? error : new ApiError(0, 'error', errorMessage(error)) })
  }
}

/**
 * A turn was running when the page was read. The stream carries only what comes next, so the
 * text so far comes from the page: joined onto the live turn the stream started (or after a
 * resync gap), or as a new live turn the coming chunks extend.
 */
function seedRunningTurn(threadId: string, page: HistoryResponse): void {
  const running = page.in_progress!
  const stored = page.turns.find((t) => t.id === running.turn_id) ?? page.turns.at(-1)
  const live = turnsOf(threadId).findLast((t) => t.status === 'streaming' || t.status === 'sending')
  if (live && (live.userInput === undefined || live.gap)) {
    updateTurn(threadId, (t) => (t.key === live.key ? { ...t, text: joinStreamed(running.response_so_far, t.text), gap: false, ...(stored ? { userInput: stored.user_input } : {}) } : t))
  } else if (!live) {
    setTurns(threadId, [
      ...turnsOf(threadId),
      { key: newKey(), threadId, ...(stored ? { userInput: stored.user_input } : {}), text: running.response_so_far, status: 'streaming', tools: [], approvals: [], startedAt: running.started_at },
    ])
  }
}

export async function loadOlder(threadId: string): Promise<void> {
  const h = histories.value[threadId]
  if (!h || !h.hasMore || h.loadingOlder) return
  setHistory(threadId, { loadingOlder: true })
  try {
    const page = await api.chat.history(threadId, h.older.cursor ? { cursor: h.older.cursor } : { before: h.older.before })
    const current = histories.value[threadId] ?? h
    setHistory(threadId, {
      turns: [...page.turns, ...current.turns],
      hasMore: page.has_more,
      older: { before: page.oldest_timestamp ?? null, cursor: page.next_cursor ?? null },
      loadingOlder: false,
    })
  } catch (error) {
    setHistory(threadId, { loadingOlder: false })
    toast(`Could not load older messages: ${errorMessage(error)}`, 'error')
  }
}

