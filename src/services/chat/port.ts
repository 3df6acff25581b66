import type { ToolCall, LlmMessage } from '../../llm/messages'
import type { ApprovalAction, HistoryQuery, HistoryResponse, ImageAttachment, ThreadInfo, ThreadList, TurnState, TurnToolCall } from '../../protocol/chat'
import type { ApprovalDecisionTaken, ApprovalList, ApprovalListQuery } from '../../protocol/approvals'

/**
 * Threads and history, as the routes and the chat commands see them. `resolveThread` gives the
 * thread a chat message belongs to: the given one when the caller owns it (404 otherwise), or a
 * new one titled by the message. Default: `ThreadService` over the chat tables; without one,
 * threads are plain UUIDs with no history and the history routes answer 503 `threads_unavailable`.
 */
export interface ThreadsPort {
  resolveThread(
    userId: string,
    threadId: string | undefined,
    firstMessage: string,
    /** `id`: the id a new thread gets (a client's own conversation id, mapped per user), instead of a random one. */
    options?: { channel?: string; metadata?: Record<string, unknown>; id?: string },
  ): Promise<string>
  createThread(userId: string): Promise<ThreadInfo>
  listThreads(userId: string, options: { limit: number }): Promise<ThreadList>
  history(userId: string, query: HistoryQuery): Promise<HistoryResponse>
  /** The same page as JSON text, which an implementation may keep while the thread does not change (and then answer synchronously). */
  historyJson(userId: string, query: HistoryQuery): string | Promise<string>
  /**
   * The user's approvals across all their threads (`GET /api/approvals`), newest first. Without
   * it the route answers 503 `approvals_unavailable`.
   */
  approvals?(userId: string, query: ApprovalListQuery): Promise<ApprovalList>
}

/** A conversation. Fields are the stored columns' (and the API's) names, JSON already parsed. */
export interface ThreadRecord {
  id: string
  user_id: string
  kind: 'assistant' | 'thread'
  /** Where it started: `gateway` (web app), `routine`, `job`, `api`. */
  channel: string
  title: string | null
  metadata: Record<string, unknown> | null
  created_at: string
  updated_at: string
}

/** One user message and everything the agent did about it. */
export interface TurnRecord {
  id: string
  thread_id: string
  user_id: string
  /** 0, 1, 2... within the thread. */
  seq: number
  user_input: string
  /** Read only when the turn is read to run it (`getTurn`); empty in pages of history. */
  images: ImageAttachment[]
  image_count: number
  response: string | null
  state: TurnState
  error: string | null
  tool_calls: TurnToolCall[]
  /** What the model said and the tools answered during this turn (a paused turn resumes from it). */
  transcript: LlmMessage[]
  /** Tool calls still to run when the turn paused. */
  pending_calls: ToolCall[] | null
  steps: number
  input_tokens: number
  output_tokens: number
  cost_usd: number
  model: string | null
  source: string
  timezone: string | null
  started_at: string
  completed_at: string | null
}

export type ApprovalStatus = 'pending' | 'approved' | 'denied' | 'cancelled' | 'expired'

/** A tool call waiting for (or answered by) the user. The first answer wins. */
export interface ApprovalRecord {
  request_id: string
  user_id: string
  thread_id: string
  turn_id: string
  call_id: string
  tool_name: string
  description: string
  /** Pretty-printed JSON of the arguments, as shown to the user. */
  parameters: string
  status: ApprovalStatus
  created_at: string
  resolved_at: string | null
  /** When it expires unanswered (`approval_expired`); null: never. */
  expires_at: string | null
  /** The decisions a client may send, fixed when it was created. */
  decisions: ApprovalAction[]
  /** How it ended (`always` and `approve` are both `approved`); null while pending. */
  decision: ApprovalDecisionTaken | null
}

/** A turn a sweep marked `interrupted`: whom to tell, and what they had sent. */
export interface InterruptedTurn {
  id: string
  userId: string
  threadId: string
  userInput: string
}

/** What settling or pausing a turn changes. */
export type TurnPatch = Partial<
  Pick<TurnRecord, 'response' | 'state' | 'error' | 'tool_calls' | 'transcript' | 'pending_calls' | 'steps' | 'input_tokens' | 'output_tokens' | 'cost_usd' | 'model' | 'completed_at'>
>

/**
 * Where the default agent keeps its turns: the thread a message runs in, the turn's state as it
 * runs, pauses for approval and ends, and the leases that tell a running turn from one a dead
 * process left. Default: `ChatTurnStore` over the chat tables (the same ones `ThreadService`
 * reads history from); an embedder's own makes the default agent work on its storage.
 */
export interface TurnStore {
  /**
   * Starts a turn (`processing`, holding a lease until `leaseUntil`): creates the thread when the
   * user has none by that id, gives the turn the thread's next `seq`, marks the thread active and
   * titles it by the message when it has no title.
   */
  startTurn(turn: Omit<TurnRecord, 'seq' | 'image_count'>, options: { leaseUntil: string; channel: string; title: string | null }): Promise<TurnRecord>
  /** A paused turn runs again, holding a lease. */
  resumeTurn(turnId: string, leaseUntil: string): Promise<void>
  /** Ends a turn (`state` other than processing) and marks its thread active at `at`. */
  settleTurn(turn: Pick<TurnRecord, 'id' | 'thread_id'>, patch: TurnPatch, at: string): Promise<void>
  /** Pauses a turn and records its approval request, atomically, and marks its thread active. */
  pauseTurn(turnId: string, patch: TurnPatch, approval: ApprovalRecord): Promise<void>
  /** A whole turn, images included. */
  getTurn(turnId: string): Promise<TurnRecord | undefined>
  /** The thread's running or paused turn. */
  activeTurn(threadId: string): Promise<TurnRecord | undefined>
  /** Newest-first turns with `seq < beforeSeq`, the context of the next one. */
  turnsBefore(threadId: string, options: { beforeSeq: number; limit: number }): Promise<TurnRecord[]>
  /** Extends the lease of turns this process is running; returns those still `processing`. */
  renewLeases(turnIds: string[], until: string): Promise<Set<string>>
  /**
   * Marks `interrupted` the turns left running by a stopped process: all, or those whose lease ran
   * out, never those in `except`. Returns the ones it marked; with several instances each is
   * claimed by exactly one (one conditional update), so each is reported once.
   */
  interruptStaleTurns(message: string, at: string, options: { all: boolean; except?: readonly string[] }): Promise<InterruptedTurn[]>
  /** Resolves as `expired` the approvals still pending for these turns; returns those it resolved. */
  expireApprovalsOf(turnIds: readonly string[], at: string): Promise<ApprovalRecord[]>
  /**
   * Resolves as `expired` the pending approvals whose `expires_at` is not after `at`; returns
   * those it resolved (with several instances each is claimed by exactly one). Without it,
   * approvals never expire.
   */
  expireDueApprovals?(at: string): Promise<ApprovalRecord[]>
  getApproval(requestId: string): Promise<ApprovalRecord | undefined>
  pendingApproval(threadId: string): Promise<ApprovalRecord | undefined>
  /**
   * Moves a request out of `pending` (`decision` defaults to the status's: `approve`, `deny`,
   * `cancelled`, `expired`); false when another answer got there first.
   */
  resolveApproval(requestId: string, status: Exclude<ApprovalStatus, 'pending'>, at: string, decision?: ApprovalDecisionTaken): Promise<boolean>
  isAlwaysAllowed(userId: string, toolName: string): Promise<boolean>
  allowAlways(userId: string, toolName: string, at: string): Promise<void>
  /** Text a running turn streamed, so a history page loaded mid-turn shows it (`in_progress`). */
  streamed(turnId: string, delta: string, eventId?: number): void
  /** The turn stopped streaming (it settled or paused). */
  streamEnded(turnId: string): void
}
