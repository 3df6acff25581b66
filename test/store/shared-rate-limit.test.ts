import { afterAll, describe, expect, it } from 'vitest'
import { mockLlmConfig } from '../support/agent'
import { testGateway } from '../support/gateway'
import { MockLlm } from '../support/mock-llm'
import { availableDialects, createTestSchema, dropTestSchema, openSchemaStore, POSTGRES_URL, testStoreOf } from '../support/store'
import { manualClock } from '../support/users'
import { StoreRateLimiter } from '../../src/store/store-rate-limiter'

describe.each(availableDialects)('the database-backed sliding window (%s)', (dialect) => {
  it('allows the limit in any window, tells when the oldest start leaves it, and refunds the newest', async () => {
    const store = await testStoreOf(dialect)
    const clock = manualClock(Date.parse('2026-12-07T10:00:00.000Z'))
    const limiter = new StoreRateLimiter(store, 3, 60_000, clock.now)
    try {
      for (let i = 0; i < 3; i++) {
        expect(await limiter.hit('u1')).toEqual({ ok: true, remaining: 2 - i })
        clock.advance(10_000)
      }
      // The first start was 30 s ago: it leaves the window in 30 s.
      expect(await limiter.hit('u1')).toEqual({ ok: false, retryAfterMs: 30_000 })
      expect((await limiter.hit('u2')).ok).toBe(true) // keys are independent
      await limiter.refund('u1')
      expect(await limiter.hit('u1')).toEqual({ ok: true, remaining: 0 })
      clock.advance(30_000)
      expect(await limiter.hit('u1')).toEqual({ ok: true, remaining: 0 }) // the first start left the window
      // The table holds no more than the limit per key: old starts are dropped on the way.
      const rows = await store.db.selectFrom('rate_hits').select('key').where('key', '=', 'u1').execute()
      expect(rows.length).toBe(3)
    } finally {
      await store.close()
    }
  })
})

/** Issue 27, item 3: the per-user budget held per process, so two instances allowed twice as much. */
describe.skipIf(!POSTGRES_URL)('one model-call budget across two instances sharing PostgreSQL', () => {
  const BUDGET = 5
  let schema: string
  let llm: MockLlm

  afterAll(async () => {
    await llm?.close()
    if (schema) await dropTestSchema(schema)
  })

  it('sends spread over both instances, concurrently, get exactly the budget between them', async () => {
    llm = await MockLlm.start()
    schema = await createTestSchema()
    const options = { config: { llm: mockLlmConfig(llm), limits: { chatMessagesPerWindow: BUDGET, chatWindowMs: 60_000 } } }
    const [a, b] = await Promise.all([
      openSchemaStore(schema).then((store) => testGateway({ ...options, store })),
      openSchemaStore(schema).then((store) => testGateway({ ...options, store })),
    ])
    try {
      const sends = Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).request('/api/chat/send', { method: 'POST', json: { content: `m${i}` } }))
      const statuses = (await Promise.all(sends)).map((r) => r.status)
      expect(statuses.filter((s) => s === 202)).toHaveLength(BUDGET)
      expect(statuses.filter((s) => s === 429)).toHaveLength(12 - BUDGET)
      // Both instances refuse now, with the error envelope and Retry-After.
      for (const gw of [a, b]) {
        const res = await gw.request('/api/chat/send', { method: 'POST', json: { content: 'one more' } })
        expect(res.status).toBe(429)
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0)
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('rate_limited')
      }
    } finally {
      await Promise.all([a.close(), b.close()])
    }
  })
})
