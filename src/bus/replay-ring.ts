import type { PreparedEvent } from '../ports/prepared-event'

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
