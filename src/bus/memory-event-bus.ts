import { z } from 'zod'
import type { AppEvent } from '../protocol/events'
import { PreparedEvent } from '../ports/prepared-event'

/**
 * A control message between gateway instances (token revoked, user suspended, ...). A schema,
 * because on PostgreSQL these arrive from other processes and are parsed at the edge.
 */
export const BusControl = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('disconnect'), userId: z.string().optional(), tokenId: z.string().optional() }),
  z.object({ kind: z.literal('invalidate_auth'), tokenHash: z.string().optional(), userId: z.string().optional() }),
  z.object({ kind: z.literal('custom'), topic: z.string(), payload: z.unknown() }),
])
export type BusControl = z.infer<typeof BusControl>

/**
 * Carries events from producers to every instance's hub, in id order, and keeps them for replay.
 * Default: in-process (`MemoryEventBus`). With a database the store provides a persistent bus,
 * and on PostgreSQL one that crosses instances through LISTEN/NOTIFY.
 */
export interface EventBus {
  /** Assigns the event's id, keeps it for replay and delivers it to every `onEvent` listener. */
  publish(userId: string | null, event: AppEvent): Promise<PreparedEvent>
  onEvent(listener: (event: PreparedEvent) => void): () => void
  /**
   * Events visible to `userId` (their own and broadcasts) with id > `afterId`, oldest first,
   * or `null` when some of them are gone (pruned, evicted, or from before a restart).
   */
  replay(userId: string, afterId: number): Promise<PreparedEvent[] | null>
  /** Highest id assigned so far (0 when none): a client ahead of it is from another database. */
  lastId(): number
  publishControl(message: BusControl): Promise<void>
  onControl(listener: (message: BusControl) => void): () => void
  close(): Promise<void>
}

/** Listener plumbing shared by bus implementations. */
export class BusListeners {
  readonly events = new Set<(event: PreparedEvent) => void>()
  readonly controls = new Set<(message: BusControl) => void>()

  emitEvent(event: PreparedEvent): void {
    for (const listener of this.events) listener(event)
  }

  emitControl(message: BusControl): void {
    for (const listener of this.controls) listener(message)
  }

  onEvent(listener: (event: PreparedEvent) => void): () => void {
    this.events.add(listener)
    return () => this.events.delete(listener)
  }

  onControl(listener: (message: BusControl) => void): () => void {
    this.controls.add(listener)
    return () => this.controls.delete(listener)
  }
}

/**
 * Per-user ring of recent events for replay. `evictedThrough` remembers the newest id that fell
 * out of the ring, so a reconnect asking for anything at or before it learns it missed events.
 */
export class ReplayRing {
  readonly #rings = new Map<string | null, PreparedEvent[]>()
  readonly #evictedThrough = new Map<string | null, number>()

  constructor(readonly perUser: number) {}

  add(event: PreparedEvent): void {
    let ring = this.#rings.get(event.userId)
    if (!ring) this.#rings.set(event.userId, (ring = []))
    ring.push(event)
    if (ring.length > this.perUser) {
      const dropped = ring.splice(0, ring.length - this.perUser)
      this.#evictedThrough.set(event.userId, dropped[dropped.length - 1]!.id)
    }
  }

  /** `null` when events after `afterId` may have been evicted for this user or for broadcasts. */
  since(userId: string, afterId: number): PreparedEvent[] | null {
    const evicted = Math.max(this.#evictedThrough.get(userId) ?? 0, this.#evictedThrough.get(null) ?? 0)
    if (afterId < evicted) return null
    const own = this.#rings.get(userId) ?? []
    const all = this.#rings.get(null) ?? []
    return merge(own, all).filter((e) => e.id > afterId)
  }

  /** Forgets a user's events (the user was deleted). */
  forget(userId: string): void {
    this.#rings.delete(userId)
    this.#evictedThrough.delete(userId)
  }
}

const merge = (a: PreparedEvent[], b: PreparedEvent[]): PreparedEvent[] =>
  b.length === 0 ? a : [...a, ...b].sort((x, y) => x.id - y.id)

/**
 * The in-process bus: ids from a counter that starts at the boot time in microseconds, so ids
 * keep growing across restarts and an old `Last-Event-ID` is recognised as unavailable.
 */
export class MemoryEventBus implements EventBus {
  readonly #listeners = new BusListeners()
  readonly #ring: ReplayRing
  #nextId: number
  readonly #firstId: number

  constructor(options: { replayPerUser?: number; now?: () => number } = {}) {
    this.#ring = new ReplayRing(options.replayPerUser ?? 1024)
    this.#firstId = this.#nextId = (options.now ?? Date.now)() * 1000
  }

  async publish(userId: string | null, event: AppEvent): Promise<PreparedEvent> {
    const prepared = PreparedEvent.from(++this.#nextId, userId, event)
    this.#ring.add(prepared)
    this.#listeners.emitEvent(prepared)
    return prepared
  }

  onEvent(listener: (event: PreparedEvent) => void): () => void {
    return this.#listeners.onEvent(listener)
  }

  async replay(userId: string, afterId: number): Promise<PreparedEvent[] | null> {
    // Ids before this boot belong to a previous process whose events are gone.
    if (afterId < this.#firstId || afterId > this.#nextId) return null
    return this.#ring.since(userId, afterId)
  }

  lastId(): number {
    return this.#nextId
  }

  async publishControl(message: BusControl): Promise<void> {
    this.#listeners.emitControl(message)
  }

  onControl(listener: (message: BusControl) => void): () => void {
    return this.#listeners.onControl(listener)
  }

  async close(): Promise<void> {}
}
