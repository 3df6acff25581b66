import { batch, signal } from '@preact/signals'
import { api, ApiError } from '../api/index'
import { EventStream, type StreamState } from '../api/event-stream'
import type { AppEventType, EventOf, ImageAttachment } from '../api/types'
import { tabStorage } from '../lib/storage'
import { attachmentPlaceholder } from '../lib/uploads'
import type { LiveTurn } from '../lib/turns'
import {
  addSending, adoptNewThread, applyTurnEvent, isBusy, liveTurns, markGaps, NEW_THREAD, resolveApproval, resolvedApprovals, turnsOf, updateTurn,
} from './live-turns'
import { histories, loadHistory, loadThreads, refreshThreads, threads, threadsError } from './history'
import { route } from './router'
import { clearInbox, dropFromInbox, loadInbox, refreshInbox } from './approvals'
import { errorMessage, toast } from './toasts'

/** Every event the chat stream carries; `Record<AppEventType, …>` keeps it in step with the server. */
const EVENT_TYPES = Object.keys({
  response: 1, thinking: 1, tool_started: 1, tool_completed: 1, tool_result: 1, stream_chunk: 1, status: 1, job_started: 1,
  approval_needed: 1, approval_resolved: 1, approval_expired: 1, auth_required: 1, auth_completed: 1, error: 1, heartbeat: 1, job_message: 1,
  job_tool_use: 1, job_tool_result: 1, job_status: 1, job_result: 1, image_generated: 1, suggestions: 1, turn_cost: 1,
  turn_cancelled: 1, turn_interrupted: 1, extension_status: 1, resync: 1, shutdown: 1, evicted: 1, memory_changed: 1, routine_run: 1,
} satisfies Record<AppEventType, 1>)

export const unread = signal<Record<string, number>>({})
export const streamState = signal<StreamState>('stopped')
export const authPrompt = signal<EventOf<'auth_required'> | null>(null)

/** The thread the chat page shows ('' = a new conversation not sent yet). */
export const openThreadId = (): string => (route.value.parts[0] === 'chat' ? route.value.parts[1] ?? '' : '')

type Listener = (type: string, data: Record<string, unknown>) => void
const listeners = new Set<Listener>()
/** Other pages (jobs, extensions) listen to the same stream while they are shown. */
export const onAppEvent = (fn: Listener): (() => void) => {
  listeners.add(fn)
  return () => listeners.delete(fn)
}

let stream: EventStream | undefined

// ---- persistence: the stream position and the live turns move together, so a reload resumes
// exactly where the saved state ends (nothing replayed twice, nothing skipped).
interface Snapshot {
  lastEventId?: number
  live: Record<string, LiveTurn[]>
  unread: Record<string, number>
  resolved: Record<string, string>
}
let saveTimer: ReturnType<typeof setTimeout> | undefined
function saveNow(): void {
  clearTimeout(saveTimer)
  saveTimer = undefined
  if (!stream) return
  const live: Record<string, LiveTurn[]> = {}
  for (const [thread, turns] of Object.entries(liveTurns.value)) {
    // Object URLs die with the page; the rest of the turn is kept.
    const kept = turns.map(({ images: _images, ...t }) => t).slice(-20)
    if (kept.length) live[thread] = kept
  }
  const snapshot: Snapshot = { live, unread: unread.value, resolved: resolvedApprovals.value }
  if (stream.lastId !== undefined) snapshot.lastEventId = stream.lastId
  tabStorage.set('chat', snapshot)
}
const save = (): void => {
  if (!saveTimer) saveTimer = setTimeout(saveNow, 250)
}
addEventListener('pagehide', saveNow)
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'hidden') saveNow()
})

export function startChat(): void {
  if (stream) return
  const snapshot = tabStorage.get<Snapshot>('chat')
  batch(() => {
    liveTurns.value = snapshot?.live ?? {}
    unread.value = snapshot?.unread ?? {}
    resolvedApprovals.value = snapshot?.resolved ?? {}
  })
  stream = new EventStream({
    path: '/api/chat/events',
    eventTypes: EVENT_TYPES,
    lastEventId: snapshot?.lastEventId,
    onEvent: (type, data) => handleEvent(type, data as Record<string, unknown>),
    onState: (state) => {
      streamState.value = state
    },
  })
  stream.start()
  void loadThreads()
  void loadInbox()
}

export function stopChat(): void {
  stream?.stop()
  stream = undefined
  clearTimeout(saveTimer)
  saveTimer = undefined
  batch(() => {
    threads.value = null
    threadsError.value = null
    histories.value = {}
    liveTurns.value = {}
    unread.value = {}
    authPrompt.value = null
  })
  clearInbox()
}

export function openThread(threadId: string): void {
  if (unread.value[threadId]) {
    const next = { ...unread.value }
    delete next[threadId]
    unread.value = next
    save()
  }
  if (threadId && !histories.value[threadId]?.loading) void loadHistory(threadId)
}

// ---- actions

export async function newThread(): Promise<string | undefined> {
  try {
    const thread = await api.chat.newThread()
    await loadThreads()
    return thread.id
  } catch (error) {
    // Without the threads subsystem a conversation starts with its first message instead.
    if (error instanceof ApiError && (error.unavailable || error.status === 404)) return ''
    toast(errorMessage(error), 'error')
    return undefined
  }
}

/** Sends a message; resolves with the thread it went to. */
export async function sendMessage(threadId: string, content: string, images: Array<ImageAttachment & { url: string; file?: File }>, files: File[] = []): Promise<string | undefined> {
  // Shown as chips until the stored turn (with the gateway's attachment blocks) replaces it.
  const shown = content + files.map((f) => `\n\n${attachmentPlaceholder(f.name)}`).join('')
  const turn = addSending(threadId, shown, images.map((i) => i.url))
  save()
  try {
    // Documents go as multipart (the gateway reads them), with the images as files beside them.
    const accepted = files.length
      ? await api.chat.sendWithFiles(content, threadId || undefined, [...files, ...images.flatMap((i) => (i.file ? [i.file] : []))])
      : await api.chat.send(content, threadId || undefined, images.map(({ media_type, data }) => ({ media_type, data })))
    if (!threadId) {
      adoptNewThread(turn.key, accepted.thread_id)
      refreshThreads()
    }
    save()
    return accepted.thread_id
  } catch (error) {
    updateTurn(threadId, (t) => (t.key === turn.key ? { ...t, status: 'error', error: errorMessage(error) } : t), { latest: true })
    return undefined
  }
}

export async function stopTurn(threadId: string): Promise<void> {
  try {
    await api.chat.cancel(threadId)
  } catch (error) {
    toast(`Could not stop: ${errorMessage(error)}`, 'error')
  }
}

export async function answerApproval(requestId: string, action: 'approve' | 'deny' | 'always', threadId?: string): Promise<void> {
  try {
    await api.chat.approve(requestId, action, threadId)
    resolveApproval(requestId, action)
    dropFromInbox(requestId)
  } catch (error) {
    // 409: answered first elsewhere (the first decision comes with it); 410: it expired.
    if (error instanceof ApiError && (error.status === 409 || error.status === 410 || error.status === 404)) {
      const first = (error.details as { decision?: unknown } | undefined)?.decision
      resolveApproval(requestId, error.status === 409 ? (typeof first === 'string' ? first : 'answered') : 'expired')
      dropFromInbox(requestId)
      if (error.status === 410) toast('That approval expired before it was answered', 'info')
    } else toast(errorMessage(error), 'error')
  }
}

export const threadBusy = (threadId: string): boolean => {
  if (isBusy(threadId)) return true
  const last = histories.value[threadId]?.turns.at(-1)
  return !!last && /^processing|awaiting/i.test(last.state) && !turnsOf(threadId).length
}

// ---- events

/** Untagged chat events belong to the thread with a running turn, else to the open thread. */
function threadFor(data: Record<string, unknown>): string {
  if (typeof data.thread_id === 'string') return data.thread_id
  const running = Object.entries(liveTurns.value).find(([, turns]) => turns.some((t) => t.status === 'streaming' || t.status === 'sending'))
  return running?.[0] ?? openThreadId()
}

function handleEvent(type: string, data: Record<string, unknown>): void {
  const event = { ...data, type }
  switch (type) {
    case 'approval_resolved':
      resolveApproval(String(data.request_id), String(data.action))
      dropFromInbox(String(data.request_id))
      refreshInbox()
      break
    case 'approval_expired': {
      const e = data as EventOf<'approval_expired'>
      resolveApproval(e.request_id, 'expired')
      dropFromInbox(e.request_id)
      refreshInbox()
      applyTurnEvent(e.thread_id, event)
      // A turn shown from history (paused before this page loaded) ended too.
      if (histories.value[e.thread_id]) void loadHistory(e.thread_id)
      break
    }
    case 'resync':
      refreshInbox()
      markGaps()
      for (const threadId of Object.keys(histories.value)) void loadHistory(threadId)
      refreshThreads()
      break
    case 'shutdown':
      toast('The gateway is restarting; reconnecting…', 'info')
      stream?.reconnect(1000)
      break
    case 'evicted':
      // Every stream was taken and this user held the most: come back later, not at once.
      toast('This tab’s live connection was closed to make room for others; reconnecting in a minute…', 'info')
      stream?.reconnect(60_000)
      break
    case 'auth_required':
      authPrompt.value = data as EventOf<'auth_required'>
      break
    case 'auth_completed': {
      const e = data as EventOf<'auth_completed'>
      if (authPrompt.value?.extension_name === e.extension_name) authPrompt.value = null
      toast(e.message || `${e.extension_name}: ${e.success ? 'connected' : 'authorization failed'}`, e.success ? 'success' : 'error')
      break
    }
    case 'extension_status': {
      const e = data as EventOf<'extension_status'>
      // The extensions page shows failures on the extension's tile (and its own actions' outcomes).
      if (e.status === 'failed' && route.value.parts[0] !== 'extensions') toast(`${e.extension_name}: ${e.message ?? 'activation failed'}`, 'error')
      break
    }
    case 'job_started': {
      const e = data as EventOf<'job_started'>
      const threadId = threadFor(data)
      updateTurn(threadId, (t) => ({ ...t, jobs: [...(t.jobs ?? []), { job_id: e.job_id, title: e.title }] }), { latest: true })
      break
    }
    case 'routine_run': {
      // Its turn streams into the routine's thread like any other; only a run that needs the user is announced.
      const e = data as EventOf<'routine_run'>
      const href = `#/chat/${encodeURIComponent(e.thread_id)}`
      if (e.status === 'failed') toast(`Routine “${e.routine_name}” failed${e.result_summary ? `: ${e.result_summary}` : ''}`, 'error', { label: 'Open', href })
      if (e.status === 'attention') toast(`Routine “${e.routine_name}” needs your attention`, 'info', { label: 'Open', href })
      break
    }
    case 'error':
      if (typeof data.thread_id !== 'string' && !Object.values(liveTurns.value).some((ts) => ts.some((t) => t.status === 'streaming' || t.status === 'sending'))) {
        toast(String(data.message), 'error')
        break
      }
      applyTurnEvent(threadFor(data), event)
      break
    default: {
      const threadId = threadFor(data)
      if (!applyTurnEvent(threadId, event)) break
      if (type === 'response' || type === 'approval_needed') noteActivity(threadId, type)
      if (type === 'approval_needed') refreshInbox()
    }
  }
  for (const fn of listeners) fn(type, data)
  save()
}

/** Unread badges for answers in threads the user is not looking at; the list re-sorts. */
function noteActivity(threadId: string, type: string): void {
  const visible = openThreadId() === threadId && document.visibilityState === 'visible'
  if (!visible && type === 'response') unread.value = { ...unread.value, [threadId]: (unread.value[threadId] ?? 0) + 1 }
  if (!visible && type === 'approval_needed') toast('A tool call is waiting for your approval', 'info', { label: 'Open', href: `#/chat/${encodeURIComponent(threadId)}` })
  const known = threads.value && (threads.value.assistant_thread?.id === threadId || threads.value.threads.some((t) => t.id === threadId))
  if (!known || type === 'response') refreshThreads()
}

export { NEW_THREAD }
export { histories, loadHistory, loadOlder, loadThreads, threads, threadsError } from './history'
export type { HistoryState } from './history'
