import { getLogger } from '@logtape/logtape'
import type { IncomingMessage } from '../../hub/channel'
import type { PreparedEvent } from '../../ports/prepared-event'
import { type Clock, unrefTimer } from '../../lib/time'
import type { RoutineRepository } from './routine-repository'
import type { RoutineRunner } from './routine-runner'

const log = getLogger(['gateway', 'routines'])

/** How often the set of watched event types is re-read (routines changed on another instance). */
const REFRESH_MS = 30_000
const QUOTE_CHARS = 4_000
/** How much of a message a pattern sees: bounds the cost of a slow (backtracking) pattern. */
const MATCH_CHARS = 10_000

/**
 * `event` routines fire on the owner's chat messages matching their pattern (messages arrive on
 * one instance only); `system_event` routines on events of the owner's stream (`job_status` with
 * `state=failed`...). Every instance sees every event on PostgreSQL, so the run's key is the
 * event id and the unique index lets one instance run it. Routines never trigger on their own
 * runs (events of their thread, their own `routine_run`), nor on messages routines or jobs sent.
 *
 * Which (user, event type) pairs any routine watches is kept in memory, so the hot path (every
 * streamed token is an event) costs one set lookup.
 */
export class EventTriggers {
  #watched = new Set<string>()
  #timer: ReturnType<typeof setInterval> | undefined
  readonly #pending = new Set<Promise<void>>()

  constructor(
    private readonly repo: RoutineRepository,
    private readonly runner: RoutineRunner,
    private readonly clock: Clock,
  ) {}

  async start(): Promise<void> {
    await this.refresh()
    this.#timer = unrefTimer(setInterval(() => void this.refresh().catch(() => undefined), REFRESH_MS))
  }

  stop(): void {
    clearInterval(this.#timer)
  }

  /** Runs `handle` tracked, so `idle()` can wait for matching in progress. */
  track(handle: Promise<void>): void {
    const tracked = handle.catch((error) => log.error('routine event matching failed: {error}', { error })).finally(() => this.#pending.delete(tracked))
    this.#pending.add(tracked)
  }

  /** Resolves when no message or event is being matched. */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending])
  }

  async refresh(): Promise<void> {
    const pairs = await this.repo.watchedEvents()
    this.#watched = new Set(pairs.map((p) => `${p.userId}\n${p.eventType}`))
  }

  /** A chat message on its way to the agent. */
  async onMessage(message: IncomingMessage): Promise<void> {
    if (message.source === 'routine' || message.source === 'job') return
    const routines = await this.repo.enabledOfType(message.userId, 'event')
    const channel = message.source === 'http' || message.source === 'ws' ? 'gateway' : message.source
    for (const routine of routines) {
      const trigger = routine.trigger
      if (trigger.type !== 'event' || routine.thread_id === message.threadId) continue
      if (trigger.channel && trigger.channel !== channel) continue
      if (!safeTest(trigger.pattern, message.content.slice(0, MATCH_CHARS))) continue
      await this.runner
        .fire(routine, { type: 'event', key: `message:${message.id}`, context: `The message that triggered this routine:\n> ${quote(message.content)}` })
        .catch((error) => log.error('event routine {id} failed to start: {error}', { id: routine.id, error }))
    }
  }

  /** Whether some routine of the event's owner watches its type (the synchronous hot-path filter). */
  watches(event: PreparedEvent): boolean {
    return event.userId !== null && this.#watched.has(`${event.userId}\n${event.type}`)
  }

  /** An event published on the bus (from this instance or another) that `watches` accepted. */
  async onEvent(event: PreparedEvent): Promise<void> {
    if (event.userId === null) return
    const data = JSON.parse(event.json) as Record<string, unknown>
    const routines = await this.repo.enabledOfType(event.userId, 'system_event')
    for (const routine of routines) {
      const trigger = routine.trigger
      if (trigger.type !== 'system_event' || trigger.event_type !== event.type) continue
      if (data.thread_id === routine.thread_id || data.routine_id === routine.id) continue
      if (!Object.entries(trigger.filters).every(([key, value]) => String(data[key] ?? '') === value)) continue
      const context = `The event that triggered this routine (${event.type}, at ${new Date(this.clock.now()).toISOString()}):\n${quote(event.json)}`
      await this.runner
        .fire(routine, { type: 'system_event', key: `event:${event.id}`, context })
        .catch((error) => log.error('event routine {id} failed to start: {error}', { id: routine.id, error }))
    }
  }
}

const quote = (text: string): string => (text.length > QUOTE_CHARS ? `${text.slice(0, QUOTE_CHARS)}…` : text).replace(/\n/g, '\n> ')

/** Patterns were compiled when saved; one that no longer compiles (a newer engine) never matches. */
function safeTest(pattern: string, text: string): boolean {
  try {
    return new RegExp(pattern, 'i').test(text)
  } catch {
    return false
  }
}
