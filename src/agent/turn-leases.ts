import { getLogger } from '@logtape/logtape'
import { type Clock, unrefTimer } from '../lib/time'
import { appEvent } from '../protocol/events'
import type { TurnStore } from '../services/chat/port'
import type { TurnEvents } from './turn-events'

const log = getLogger(['gateway', 'agent'])

/** What a sweep stores as the error of a turn whose instance died, and tells its user. */
export const INTERRUPTED_MESSAGE = 'The gateway running this turn stopped before it finished'

/** A turn this instance runs: its id, and how to stop it when another instance took it for dead. */
export interface LeasedTurn {
  turnId: string
  stop(): void
}

/**
 * The leases that tell a running turn from one a dead process left. With other instances on the
 * database, this one renews the leases of the turns it runs at a quarter of their length and, as
 * often, marks `interrupted` the turns whose lease ran out: their users get `turn_interrupted`
 * and their pending approvals expire (`approval_expired`). Alone on it (SQLite), every
 * `processing` turn found at start is such a turn, and nothing else can die mid-turn: no timer.
 */
export class TurnLeases {
  readonly #turns: TurnStore
  readonly #clock: Clock
  readonly #leaseMs: number
  readonly #events: TurnEvents
  #running: () => LeasedTurn[] = () => []
  #timer: ReturnType<typeof setInterval> | undefined

  constructor(turns: TurnStore, clock: Clock, leaseMs: number, events: TurnEvents) {
    this.#turns = turns
    this.#clock = clock
    this.#leaseMs = leaseMs
    this.#events = events
  }

  /** Sweeps once, then (shared database) renews `running()` and sweeps again on a timer. */
  async start(options: { exclusive: boolean; running: () => LeasedTurn[] }): Promise<void> {
    this.#running = options.running
    await this.sweep({ all: options.exclusive })
    if (options.exclusive) return
    this.#timer = unrefTimer(
      setInterval(() => void this.heartbeat().catch((error: unknown) => log.warn('turn lease renewal failed: {error}', { error })), Math.max(500, Math.floor(this.#leaseMs / 4))),
    )
  }

  /**
   * Renews the leases of the turns running here, then sweeps. A turn of ours that another instance
   * swept meanwhile (our renewals stalled past the lease) is stopped without a word: its user was
   * told `turn_interrupted` already, so it must not answer afterwards or spend more model calls.
   */
  async heartbeat(): Promise<void> {
    const running = this.#running()
    const alive = await this.#turns.renewLeases(running.map((r) => r.turnId), this.leaseEnd())
    for (const turn of running) if (!alive.has(turn.turnId)) turn.stop()
    await this.sweep()
  }

  /** When a lease taken now ends. */
  leaseEnd(): string {
    return new Date(this.#clock.now() + this.#leaseMs).toISOString()
  }

  /**
   * Marks `interrupted` the turns a dead process left `processing` (all of them, or those whose
   * lease ran out; never one running here), expires their approvals and tells their users.
   */
  async sweep(options: { all: boolean } = { all: false }): Promise<number> {
    const now = new Date(this.#clock.now()).toISOString()
    const except = this.#running().map((r) => r.turnId)
    const stale = await this.#turns.interruptStaleTurns(INTERRUPTED_MESSAGE, now, { all: options.all, except })
    if (stale.length === 0) return 0
    log.info('marked {count} turn(s) left running by a stopped process as interrupted', { count: stale.length })
    for (const approval of await this.#turns.expireApprovalsOf(stale.map((t) => t.id), now)) {
      const to = { userId: approval.user_id, threadId: approval.thread_id }
      await this.#events.emit(
        to,
        appEvent('approval_expired', { request_id: approval.request_id, thread_id: approval.thread_id, tool_name: approval.tool_name, turn_id: approval.turn_id, message: INTERRUPTED_MESSAGE }),
      )
    }
    for (const turn of stale) {
      const to = { userId: turn.userId, threadId: turn.threadId }
      await this.#events.emit(to, appEvent('turn_interrupted', { thread_id: turn.threadId, turn_id: turn.id, message: INTERRUPTED_MESSAGE, user_input: turn.userInput }))
    }
    return stale.length
  }

  stop(): void {
    clearInterval(this.#timer)
  }
}
