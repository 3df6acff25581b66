import { getLogger } from '@logtape/logtape'
import { type Clock, unrefTimer } from '../lib/time'
import { appEvent } from '../protocol/events'
import type { ApprovalRecord, TurnStore } from '../services/chat/port'
import type { TurnEvents } from './turn-events'

const log = getLogger(['gateway', 'agent'])

/** What an approval that nobody answered in time says, and its turn stores as its error. */
export const expiredMessage = (approval: Pick<ApprovalRecord, 'tool_name'>): string =>
  `The approval of "${approval.tool_name}" expired without an answer`

/**
 * Approvals expire: a tool call nobody answered within the approval lifetime is resolved
 * `expired` (one conditional update, so with several instances each is claimed by one), its
 * users are told `approval_expired`, and the turn waiting for it ends (`endTurn`). Checked every
 * quarter of the lifetime, at most every minute; an answer that comes after `expires_at` but
 * before the check expires it there and then.
 */
export class ApprovalExpiry {
  readonly #turns: TurnStore
  readonly #clock: Clock
  readonly #events: TurnEvents
  readonly #endTurn: (approval: ApprovalRecord, message: string) => Promise<void>
  readonly ttlMs: number
  #timer: ReturnType<typeof setInterval> | undefined

  constructor(options: { turns: TurnStore; clock: Clock; ttlMs: number; events: TurnEvents; endTurn: (approval: ApprovalRecord, message: string) => Promise<void> }) {
    this.#turns = options.turns
    this.#clock = options.clock
    this.ttlMs = options.ttlMs
    this.#events = options.events
    this.#endTurn = options.endTurn
  }

  start(): void {
    if (!this.#turns.expireDueApprovals) return
    const every = Math.min(60_000, Math.max(250, Math.floor(this.ttlMs / 4)))
    this.#timer = unrefTimer(setInterval(() => void this.sweep().catch((error: unknown) => log.warn('approval expiry failed: {error}', { error })), every))
  }

  /** When an approval created now expires. */
  expiresAt(): string {
    return new Date(this.#clock.now() + this.ttlMs).toISOString()
  }

  /** Expires the approvals due now, tells their users and ends their turns; returns how many. */
  async sweep(): Promise<number> {
    const due = (await this.#turns.expireDueApprovals?.(new Date(this.#clock.now()).toISOString())) ?? []
    for (const approval of due) {
      const message = expiredMessage(approval)
      // The turn ends first, so a client reloading history on the event finds it ended.
      await this.#endTurn(approval, message)
      await this.announce(approval, message)
    }
    return due.length
  }

  /** Tells the approval's user it expired: every card of it clears. */
  announce(approval: ApprovalRecord, message: string): Promise<void> {
    return this.#events.emit(
      { userId: approval.user_id, threadId: approval.thread_id },
      appEvent('approval_expired', { request_id: approval.request_id, thread_id: approval.thread_id, tool_name: approval.tool_name, turn_id: approval.turn_id, message }),
    )
  }

  stop(): void {
    clearInterval(this.#timer)
  }
}
