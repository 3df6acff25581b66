/** How a turn ended, for callers that wait for it (`runMessage`): routines, tests, embedders. */
export interface TurnOutcome {
  /**
   * `completed` (answered), `failed`, `cancelled`, `awaiting_approval` (paused; only with
   * `untilApproval`), or `blocked`: the thread awaits an approval, so no turn was started.
   */
  status: 'completed' | 'failed' | 'cancelled' | 'awaiting_approval' | 'blocked'
  threadId: string
  turnId: string | undefined
  /** The answer (or what was streamed before the turn stopped). */
  text: string
  inputTokens: number
  outputTokens: number
  costUsd: number
  model: string | null
  error?: { code: string; message: string } | undefined
}

export interface RunMessageOptions {
  /** Return at an approval pause (`awaiting_approval`) instead of waiting for the user's answer. */
  untilApproval?: boolean
}
