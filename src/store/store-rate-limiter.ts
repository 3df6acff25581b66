import { sql } from 'kysely'
import type { ModelCallLimiter } from '../lib/model-call-budget'
import type { RateDecision } from '../lib/sliding-window-limiter'
import type { Store } from './database'

/** Our class of advisory locks for rate keys ('gwrl'); the bus uses 'gwbu'. */
const LOCK_CLASS = 1735881324

/**
 * A sliding-window limiter whose counts live in the database, so gateway instances sharing one
 * PostgreSQL hold one budget per user: 30 starts a minute means 30 across all of them, not 30
 * on each. A hit is one transaction that takes a lock per key (concurrent hits of one user
 * queue; other users do not contend), drops the key's starts that left the window, counts
 * what is left and records the new start when allowed. Same semantics as `SlidingWindowLimiter`.
 */
export class StoreRateLimiter implements ModelCallLimiter {
  constructor(
    private readonly store: Store,
    readonly limit: number,
    readonly windowMs: number,
    readonly now: () => number = Date.now,
  ) {}

  async hit(key: string): Promise<RateDecision> {
    return this.store.db.transaction().execute(async (tx) => {
      if (this.store.dialect === 'postgres') await sql`SELECT pg_advisory_xact_lock(${LOCK_CLASS}, hashtext(${key}))`.execute(tx)
      const now = this.now()
      await tx.deleteFrom('rate_hits').where('key', '=', key).where('at', '<=', new Date(now - this.windowMs).toISOString()).execute()
      const left = await tx
        .selectFrom('rate_hits')
        .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min('at').as('oldest')])
        .where('key', '=', key)
        .executeTakeFirstOrThrow()
      const count = Number(left.n)
      if (count >= this.limit && left.oldest) return { ok: false, retryAfterMs: Math.max(1, Date.parse(left.oldest) + this.windowMs - now) }
      await tx.insertInto('rate_hits').values({ key, at: new Date(now).toISOString() }).execute()
      return { ok: true, remaining: this.limit - count - 1 }
    })
  }

  /** Gives back the key's newest start (it failed before calling a model). */
  async refund(key: string): Promise<void> {
    const newest = this.store.db.selectFrom('rate_hits').select((eb) => eb.fn.max('id').as('id')).where('key', '=', key)
    await this.store.db.deleteFrom('rate_hits').where('id', '=', newest).execute()
  }
}
