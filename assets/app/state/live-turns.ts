import { signal } from '@preact/signals'
import type { EventOf } from '../api/types'
import type { ApprovalView, LiveTurn, ToolCallView } from '../lib/turns'

/**
 * Turns this tab is watching, by thread, built from the event stream. Every update replaces the
 * affected objects (signals compare by identity), so components re-render exactly what changed.
 */
export const liveTurns = signal<Record<string, LiveTurn[]>>({})
/** A message sent to a thread that does not exist yet (no `thread_id` until the server answers). */
export const NEW_THREAD = ''
/** Approvals answered anywhere, by request id: stale cards from history clear too. */
export const resolvedApprovals = signal<Record<string, string>>({})

let seq = 0
export const newKey = (): string => `l-${Date.now().toString(36)}-${(seq++).toString(36)}`

const active = (t: LiveTurn): boolean => t.status === 'sending' || t.status === 'streaming'

export function turnsOf(threadId: string): LiveTurn[] {
  return liveTurns.value[threadId] ?? []
}

export function setTurns(threadId: string, turns: LiveTurn[]): void {
  const next = { ...liveTurns.value }
  if (turns.length) next[threadId] = turns
  else delete next[threadId]
  liveTurns.value = next
}

/** Adds the turn of a message this tab just sent. */
export function addSending(threadId: string, userInput: string, images: string[]): LiveTurn {
  const turn: LiveTurn = {
    key: newKey(),
    threadId: threadId || undefined,
    userInput,
    ...(images.length ? { images } : {}),
    text: '',
    status: 'sending',
    tools: [],
    approvals: [],
    startedAt: new Date().toISOString(),
  }
  setTurns(threadId, [...turnsOf(threadId), turn])
  return turn
}

/**
 * Applies `fn` to the running turn of a thread; `create` starts one when none runs (a turn begun
 * in another tab). `latest` targets the last turn even when finished (cost, suggestions).
 */
export function updateTurn(threadId: string, fn: (turn: LiveTurn) => LiveTurn, options: { create?: boolean; latest?: boolean } = {}): void {
  const turns = turnsOf(threadId)
  let index = -1
  for (let i = turns.length - 1; i >= 0; i--) {
    if (active(turns[i]!) || options.latest) {
      index = i
      break
    }
  }
  if (index < 0) {
    if (!options.create) return
    const fresh: LiveTurn = { key: newKey(), threadId, text: '', status: 'streaming', tools: [], approvals: [], startedAt: new Date().toISOString() }
    setTurns(threadId, [...turns, fn(fresh)])
    return
  }
  const next = [...turns]
  next[index] = fn(turns[index]!)
  setTurns(threadId, next)
}

/** The server told us the new thread's id: the pending turn moves there (joining one the stream may have started). */
export function adoptNewThread(turnKey: string, threadId: string): void {
  const pending = turnsOf(NEW_THREAD).find((t) => t.key === turnKey)
  if (!pending) return
  setTurns(NEW_THREAD, turnsOf(NEW_THREAD).filter((t) => t.key !== turnKey))
  const existing = turnsOf(threadId)
  const startedByStream = existing.findIndex((t) => t.userInput === undefined)
  if (startedByStream >= 0) {
    const next = [...existing]
    const t = next[startedByStream]!
    next[startedByStream] = { ...t, userInput: pending.userInput, ...(pending.images ? { images: pending.images } : {}) }
    setTurns(threadId, next)
  } else setTurns(threadId, [...existing, { ...pending, threadId }])
}

function upsertTool(tools: ToolCallView[], name: string, callId: string | undefined, fn: (t: ToolCallView) => ToolCallView, create: boolean): ToolCallView[] {
  let index = -1
  for (let i = tools.length - 1; i >= 0; i--) {
    const t = tools[i]!
    if (callId !== undefined ? t.callId === callId : t.name === name) {
      index = i
      break
    }
  }
  if (index < 0) {
    if (!create && callId === undefined && tools.length === 0) return tools
    return [...tools, fn({ key: newKey(), name, status: 'running', ...(callId ? { callId } : {}) })]
  }
  const next = [...tools]
  next[index] = fn(tools[index]!)
  return next
}

const streaming = (t: LiveTurn): LiveTurn => (t.status === 'sending' ? { ...t, status: 'streaming' } : t)

/** Applies one agent event to the live turns of its thread. Returns false when it is not a turn event. */
export function applyTurnEvent(threadId: string, event: { type: string } & Record<string, unknown>): boolean {
  switch (event.type) {
    case 'stream_chunk': {
      const e = event as EventOf<'stream_chunk'>
      updateTurn(threadId, (t) => ({ ...streaming(t), text: t.text + e.content, thinking: undefined }) as LiveTurn, { create: true })
      return true
    }
    case 'thinking':
    case 'status': {
      const message = (event as EventOf<'thinking'>).message
      updateTurn(threadId, (t) => ({ ...streaming(t), thinking: message }), { create: event.type === 'thinking' })
      return true
    }
    case 'tool_started': {
      const e = event as EventOf<'tool_started'>
      updateTurn(threadId, (t) => ({ ...streaming(t), tools: upsertTool(t.tools, e.name, e.call_id, (c) => ({ ...c, status: 'running' }), true) }), { create: true })
      return true
    }
    case 'tool_completed': {
      const e = event as EventOf<'tool_completed'>
      updateTurn(threadId, (t) => ({
        ...t,
        tools: upsertTool(t.tools, e.name, e.call_id, (c) => ({
          ...c,
          status: e.success ? 'ok' : 'error',
          ...(e.error ? { error: e.error } : {}),
          ...(e.parameters ? { parameters: e.parameters } : {}),
        }), true),
      }), { create: true })
      return true
    }
    case 'tool_result': {
      const e = event as EventOf<'tool_result'>
      updateTurn(threadId, (t) => ({ ...t, tools: upsertTool(t.tools, e.name, e.call_id, (c) => ({ ...c, preview: e.preview }), true) }), { create: true })
      return true
    }
    case 'approval_needed': {
      const e = event as EventOf<'approval_needed'>
      const approval: ApprovalView = {
        request_id: e.request_id,
        tool_name: e.tool_name,
        description: e.description,
        parameters: e.parameters,
        allow_always: e.allow_always,
        ...(e.decisions ? { decisions: e.decisions } : {}),
        ...(e.expires_at ? { expires_at: e.expires_at } : {}),
        ...(e.thread_id ? { thread_id: e.thread_id } : {}),
        ...(resolvedApprovals.value[e.request_id] ? { resolved: resolvedApprovals.value[e.request_id] } : {}),
      }
      updateTurn(threadId, (t) => ({ ...streaming(t), approvals: [...t.approvals.filter((a) => a.request_id !== e.request_id), approval] }), { create: true })
      return true
    }
    case 'response': {
      const e = event as EventOf<'response'>
      updateTurn(threadId, (t) => ({ ...t, text: e.content, status: 'done', thinking: undefined, gap: false }) as LiveTurn, { create: true })
      return true
    }
    case 'error': {
      const e = event as EventOf<'error'>
      updateTurn(threadId, (t) => ({ ...t, error: e.message, status: 'error', thinking: undefined }) as LiveTurn, { create: true })
      return true
    }
    case 'turn_cancelled': {
      const e = event as EventOf<'turn_cancelled'>
      updateTurn(threadId, (t) => ({ ...t, status: 'cancelled', thinking: e.message }))
      return true
    }
    case 'turn_interrupted': {
      // The stream of a turn whose instance died stops here: no response will come.
      const e = event as EventOf<'turn_interrupted'>
      // Its approval's expiry (`approval_expired`, just before) may have ended it already: the same turn.
      const ended = turnsOf(threadId).at(-1)?.status === 'interrupted'
      updateTurn(threadId, (t) => ({ ...t, status: 'interrupted', thinking: undefined, error: e.message, userInput: t.userInput ?? e.user_input }), ended ? { latest: true } : { create: true })
      return true
    }
    case 'approval_expired': {
      // Nobody answered in time: the turn that waited for it ended (the user may send it again).
      const e = event as EventOf<'approval_expired'>
      updateTurn(threadId, (t) => (t.approvals.some((a) => a.request_id === e.request_id) ? { ...t, status: 'interrupted', thinking: undefined, error: e.message } : t))
      return true
    }
    case 'turn_cost': {
      const e = event as EventOf<'turn_cost'>
      const cost = { input_tokens: e.input_tokens, output_tokens: e.output_tokens, cost_usd: e.cost_usd, ...(e.model ? { model: e.model } : {}) }
      updateTurn(threadId, (t) => ({ ...t, cost }), { latest: true })
      return true
    }
    case 'suggestions': {
      const e = event as EventOf<'suggestions'>
      updateTurn(threadId, (t) => ({ ...t, suggestions: e.suggestions }), { latest: true })
      return true
    }
    case 'image_generated': {
      const e = event as EventOf<'image_generated'>
      if (!/^data:image\/(png|jpeg|gif|webp);base64,/i.test(e.data_url)) return true
      updateTurn(threadId, (t) => ({ ...t, generated: [...(t.generated ?? []), { data_url: e.data_url, ...(e.path ? { path: e.path } : {}) }] }), { latest: true, create: true })
      return true
    }
    default:
      return false
  }
}

/** Marks an approval answered in every turn that shows it (any tab may have answered). */
export function resolveApproval(requestId: string, action: string): void {
  resolvedApprovals.value = { ...resolvedApprovals.value, [requestId]: action }
  const next: Record<string, LiveTurn[]> = {}
  let changed = false
  for (const [thread, turns] of Object.entries(liveTurns.value)) {
    next[thread] = turns.map((t) => {
      if (!t.approvals.some((a) => a.request_id === requestId && a.resolved !== action)) return t
      changed = true
      return { ...t, approvals: t.approvals.map((a) => (a.request_id === requestId ? { ...a, resolved: action } : a)) }
    })
  }
  if (changed) liveTurns.value = next
}

/** After a resync the streamed text of running turns has holes: mark them; the final response fills them. */
export function markGaps(): void {
  const next: Record<string, LiveTurn[]> = {}
  for (const [thread, turns] of Object.entries(liveTurns.value)) {
    next[thread] = turns.map((t) => (active(t) ? { ...t, gap: true, text: '' } : t))
  }
  liveTurns.value = next
}

/** The thread has a turn in progress (the stop button shows). */
export const isBusy = (threadId: string): boolean => turnsOf(threadId).some(active)
