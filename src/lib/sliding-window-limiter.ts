import { LruMap } from './lru'

export type RateDecision = { ok: true; remaining: number } | { ok: false; retryAfterMs: number }

/**
 * A true sliding-window limiter: at most `limit` hits in any `windowMs`, per key. Keeps the
 * timestamps of the last `limit` hits per key, in a bounded LRU so idle keys are forgotten.
 */
export class SlidingWindowLimiter {
  readonly #hits: LruMap<string, number[]>

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    readonly now: () => number = Date.now,
    capacity = 10_000,
  ) {
    this.#hits = new LruMap(capacity)
  }

  /** Records a hit when allowed; a rejected hit is not counted. */
  hit(key: string): RateDecision {
    const now = this.now()
    const since = now - this.windowMs
    let hits = this.#hits.get(key)
    if (!hits) this.#hits.set(key, (hits = []))
    while (hits.length > 0 && hits[0]! <= since) hits.shift()
    if (hits.length >= this.limit) return { ok: false, retryAfterMs: Math.max(1, hits[0]! + this.windowMs - now) }
    hits.push(now)
    return { ok: true, remaining: this.limit - hits.length }
  }

  /** Gives back the last hit of a key (the request it allowed failed before doing anything). */
  refund(key: string): void {
    this.#hits.get(key)?.pop()
  }

  get size(): number {
    return this.#hits.size
  }
}
