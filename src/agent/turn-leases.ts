import { getLogger } from '@logtape/logtape'
import { type Clock, unrefTimer } from '../lib/time'
import type { TurnStore } from '../services/chat/port'

const log = getLogger(['gateway', 'agent'])

/**
 * The leases that tell a running turn from one a dead process left: this instance renews the
 * leases of the turns it runs at a third of their length, and marks `interrupted` the turns whose
 * lease ran out (every `processing` turn at start when no other instance shares the database).
 */
export class TurnLeases {
  readonly #turns: TurnStore
  readonly #clock: Clock
  readonly #leaseMs: number
  #timer: ReturnType<typeof setInterval> | undefined

  constructor(turns: TurnStore, clock: Clock, leaseMs = 90_000) {
    this.#turns = turns
    this.#clock = clock
    this.#leaseMs = leaseMs
  }

  /** Sweeps once, then renews `running()` and sweeps again on a timer. */
  async start(options: { exclusive: boolean; running: () => string[] }): Promise<void> {
    await this.sweep({ all: options.exclusive })
    const tick = async () => {
      await this.#turns.renewLeases(options.running(), this.leaseEnd())
      await this.sweep()
    }
    this.#timer = unrefTimer(setInterval(() => void tick().catch(() => undefined), Math.max(1_000, Math.floor(this.#leaseMs / 3))))
  }

  /** When a lease taken now ends. */
  leaseEnd(): string {
    return new Date(this.#clock.now() + this.#leaseMs).toISOString()
  }

  /** Marks `interrupted` the turns a dead process left `processing` (all of them, or those whose lease ran out). */
  async sweep(options: { all: boolean } = { all: false }): Promise<number> {
    const stale = await this.#turns.interruptStaleTurns('The gateway stopped while this turn was running', new Date(this.#clock.now()).toISOString(), options)
    if (stale > 0) log.info('marked {count} turn(s) left running by a stopped process as interrupted', { count: stale })
    return stale
  }

  stop(): void {
    clearInterval(this.#timer)
  }
}
