import type { PendingApproval, TurnInfo } from '../api/types'
import { splitAttachments } from './uploads'

const ownText = (input: string): string => splitAttachments(input).text

/**
 * The chat's turn model. A thread shows its stored history (`TurnInfo`, from the server) and the
 * turns this tab watched live over the event stream (`LiveTurn`). `mergeTurns` joins them so a
 * turn is shown exactly once, whichever source saw it first.
 */
export interface ToolCallView {
  key: string
  callId?: string
  name: string
  status: 'running' | 'ok' | 'error'
  parameters?: string
  preview?: string
  error?: string
}

/** An approval card: from history (`pending_approval`) or an `approval_needed` event, which has no time. */
export type ApprovalView = Omit<PendingApproval, 'thread_id' | 'created_at' | 'decisions' | 'expires_at'> & {
  thread_id?: string
  created_at?: string
  /** The decisions the server takes for it (older servers: approve, deny, and always when `allow_always`). */
  decisions?: PendingApproval['decisions']
  expires_at?: string | null
  /** How it was answered (from any tab), once it was. */
  resolved?: string
}

export interface TurnCost {
  input_tokens: number
  output_tokens: number
  cost_usd: string
  model?: string
}

/** `interrupted`: the instance running it died (`turn_interrupted`); the user may send it again. */
export type TurnStatus = 'sending' | 'streaming' | 'done' | 'error' | 'cancelled' | 'failed' | 'interrupted'

export interface LiveTurn {
  key: string
  threadId: string | undefined
  /** Unknown when the turn started elsewhere (another tab, a routine). */
  userInput?: string
  /** Object URLs of the images sent with it (this page only; not persisted). */
  images?: string[]
  text: string
  status: TurnStatus
  thinking?: string
  tools: ToolCallView[]
  approvals: ApprovalView[]
  cost?: TurnCost
  error?: string
  suggestions?: string[]
  generated?: Array<{ data_url: string; path?: string }>
  jobs?: Array<{ job_id: string; title: string }>
  /** Events of this turn were lost (resync): its text is incomplete until the final response. */
  gap?: boolean
  startedAt: string
}

export interface DisplayTurn extends Omit<LiveTurn, 'threadId'> {
  live: boolean
  /** Images sent with a stored turn (their bytes are not sent back). */
  imageCount?: number
}

const isFinished = (status: TurnStatus): boolean => status !== 'sending' && status !== 'streaming'

/** Maps the server's turn states onto ours (case-insensitively, as older gateways capitalised them). */
export function historyStatus(turn: TurnInfo): TurnStatus {
  const state = turn.state.toLowerCase()
  if (state === 'processing' || state === 'running' || state === 'awaitingapproval' || state === 'awaiting_approval') return 'streaming'
  if (state === 'failed') return 'failed'
  if (state === 'interrupted' || state === 'cancelled') return 'cancelled'
  return turn.response === null && state !== 'completed' ? 'streaming' : 'done'
}

export function fromHistory(turn: TurnInfo, index: number): DisplayTurn {
  return {
    key: turn.id ? `h-${turn.id}` : `h-${turn.started_at}-${index}`,
    userInput: turn.user_input,
    ...(turn.image_count ? { imageCount: turn.image_count } : {}),
    ...(turn.error ? { error: turn.error } : {}),
    text: turn.response ?? '',
    status: historyStatus(turn),
    tools: turn.tool_calls.map((call, i) => ({
      key: `h-${index}-${i}`,
      ...(call.call_id ? { callId: call.call_id } : {}),
      name: call.name,
      status: call.has_error ? 'error' : 'ok',
      ...(call.result_preview ? { preview: call.result_preview } : {}),
      ...(call.error ? { error: call.error } : {}),
      ...(call.parameters ? { parameters: call.parameters } : {}),
    })),
    approvals: [],
    startedAt: turn.started_at,
    live: false,
  }
}

const norm = (text: string): string => text.replace(/\s+/g, ' ').trim()

function toDisplay(turn: LiveTurn): DisplayTurn {
  const { threadId: _thread, ...rest } = turn
  return { ...rest, live: true }
}

/** What the live turn alone knows, carried onto the stored turn that replaces it. */
function withExtras(stored: DisplayTurn, live: LiveTurn): DisplayTurn {
  return {
    ...stored,
    ...(live.cost ? { cost: live.cost } : {}),
    ...(live.suggestions ? { suggestions: live.suggestions } : {}),
    ...(live.generated ? { generated: live.generated } : {}),
    ...(live.jobs ? { jobs: live.jobs } : {}),
    ...(live.images ? { images: live.images } : {}),
    tools: stored.tools.length ? stored.tools : live.tools,
  }
}

/**
 * Joins stored and live turns. A finished live turn whose input and answer are already stored
 * is shown from history (`consumed`: the caller forgets it); a running live turn takes the place
 * of its stored, unfinished copy. Everything else live is appended in order.
 */
export function mergeTurns(history: TurnInfo[], live: LiveTurn[]): { turns: DisplayTurn[]; consumed: string[] } {
  const turns = history.map(fromHistory)
  const consumed: string[] = []
  const appended: DisplayTurn[] = []
  // Live turns can only match the most recent stored turns.
  let floor = Math.max(0, history.length - live.length - 2) - 1
  for (const turn of live) {
    // Attached documents' text is added by the gateway: compare what the user typed.
    const sameInput = (h: TurnInfo) => turn.userInput === undefined || ownText(h.user_input) === ownText(turn.userInput)
    let matched = -1
    for (let i = history.length - 1; i > floor; i--) {
      const h = history[i]!
      const stored = turns[i]!
      if (!sameInput(h)) continue
      if (!isFinished(stored.status)) {
        // The stored copy is older than what the stream showed this tab: the live turn replaces it.
        matched = i
      } else if (isFinished(turn.status)) {
        if (norm(h.response ?? '') === norm(turn.text)) matched = i
      } else if (turn.userInput !== undefined && i === history.length - 1) {
        // Stored as finished while this tab has not seen the end yet: the stored copy is complete.
        matched = i
      }
      if (matched >= 0) break
    }
    if (matched < 0) {
      appended.push(toDisplay(turn))
      continue
    }
    floor = matched
    const stored = turns[matched]!
    if (isFinished(stored.status)) {
      turns[matched] = withExtras(stored, turn)
      if (isFinished(turn.status)) consumed.push(turn.key)
    } else {
      turns[matched] = { ...toDisplay(turn), userInput: turn.userInput ?? stored.userInput, tools: turn.tools.length ? turn.tools : stored.tools }
    }
  }
  return { turns: [...turns, ...appended], consumed }
}

/**
 * Joins the answer a stored page reported so far with text streamed live since, where the live
 * text may repeat the end of the stored one (it started streaming before the page was read).
 */
export function joinStreamed(soFar: string, live: string): string {
  for (let overlap = Math.min(soFar.length, live.length); overlap > 0; overlap--) {
    if (soFar.endsWith(live.slice(0, overlap))) return soFar + live.slice(overlap)
  }
  return soFar + live
}
