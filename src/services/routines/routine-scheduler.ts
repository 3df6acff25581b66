import { getLogger } from '@logtape/logtape'
import { type Clock, unrefTimer } from '../../lib/time'
import { nextFireAt } from './cron'
import type { RoutineRepository } from './routine-repository'
import { ABANDONED_AFTER_MS, type RoutineRunner } from './routine-runner'

const log = getLogger(['gateway', 'routines'])

/** The longest the timer sleeps: routines created on another instance are seen within this. */
const MAX_SLEEP_MS = 30_000
const BATCH = 50

/**
 * Fires cron routines. One timer, set for the earliest slot of any enabled routine (at most
 * `MAX_SLEEP_MS` away) and reset when a routine changes. Time comes from the `Clock`, so tests
 * move it and call `tick()`.
 *
 * Each due slot is claimed by moving `next_fire_at` to the slot after *now* with a compare-and-set
 * UPDATE; only the instance whose UPDATE changed the row runs it, so two gateways on one
 * PostgreSQL database never fire the same slot. Misfire policy: slots missed while no gateway was
 * running fire once (the oldest missed slot is the one claimed), then the schedule continues from
 * now; the run's key is the slot, so it cannot run twice either.
 */
export class RoutineScheduler {
  #timer: ReturnType<typeof setTimeout> | undefined
  #ticking: Promise<number> | undefined
  #again = false
  #stopped = false

  constructor(
    private readonly repo: RoutineRepository,
    private readonly runner: RoutineRunner,
    private readonly clock: Clock,
  ) {}

  start(): void {
    this.#stopped = false
    this.wake()
  }

  stop(): void {
    this.#stopped = true
    clearTimeout(this.#timer)
    this.#timer = undefined
  }

  /** Re-plans the timer (a routine was created, toggled or rescheduled). */
  wake(): void {
    if (this.#stopped) return
    void this.tick().catch((error) => log.error('routine scheduler tick failed: {error}', { error }))
  }

  /**
   * Fires every due slot, then sets the timer for the next one. Resolves with the number of runs
   * this instance started. Concurrent calls share one pass (plus one more if asked meanwhile).
   */
  tick(): Promise<number> {
    if (this.#ticking) {
      this.#again = true
      return this.#ticking
    }
    const pass = (async () => {
      let fired = 0
      try {
        do {
          this.#again = false
          fired += await this.#fireDue()
        } while (this.#again)
      } finally {
        this.#ticking = undefined
        await this.#plan().catch((error) => log.error('routine scheduler planning failed: {error}', { error }))
      }
      return fired
    })()
    this.#ticking = pass
    return pass
  }

  async #fireDue(): Promise<number> {
    const at = this.clock.now()
    await this.repo.failAbandonedRuns('The gateway running this routine stopped before the run ended', new Date(at).toISOString(), new Date(at - ABANDONED_AFTER_MS).toISOString())
    let fired = 0
    for (;;) {
      const nowMs = this.clock.now()
      const now = new Date(nowMs).toISOString()
      const due = await this.repo.due(now, BATCH)
      for (const entry of due) {
        if (entry.trigger.type !== 'cron' || !entry.next_fire_at) continue
        const slot = entry.next_fire_at
        let next: string | null
        try {
          next = await nextFireAt(entry.trigger, nowMs)
        } catch {
          next = null // a schedule that no longer compiles stops instead of spinning
        }
        if (!(await this.repo.claimSlot(entry.id, slot, next, now))) continue // another instance took it
        const routine = await this.repo.get(entry.id)
        if (!routine) continue
        try {
          if (await this.runner.fire(routine, { type: 'cron', key: `cron:${slot}` })) fired++
        } catch (error) {
          log.error('routine {id} failed to start: {error}', { id: routine.id, error })
        }
      }
      if (due.length < BATCH) return fired
    }
  }

  async #plan(): Promise<void> {
    clearTimeout(this.#timer)
    this.#timer = undefined
    if (this.#stopped) return
    const earliest = await this.repo.earliestSlot()
    if (this.#stopped) return
    const wait = earliest === null ? MAX_SLEEP_MS : Math.min(MAX_SLEEP_MS, Math.max(0, Date.parse(earliest) - this.clock.now()))
    this.#timer = unrefTimer(setTimeout(() => this.wake(), wait))
  }
}
