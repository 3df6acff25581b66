import { describe, expect, it } from 'vitest'
import { GatewayError } from '../../src/lib/errors'
import { appEvent } from '../../src/protocol/events'
import { UsageService } from '../../src/services/usage/usage-service'
import type { Store } from '../../src/store/database'
import { replayFromLog } from '../../src/bus/event-log'
import { openStoreEventBus } from '../../src/bus/open-event-bus'
import { availableDialects, testStoreOf } from '../support/store'

/** Text that breaks naive encodings, quoting or collations (U+0000 is refused, see below). */
const TRICKY = [
  'plain ascii',
  '👨‍👩‍👧‍👦 family (ZWJ), 🇫🇷 flag, 👍🏽 skin tone, 🫠 newer emoji',
  'مرحبا بالعالم \u200f RTL Arabic with a right-to-left mark',
  'שלום עולם \u202bembedding\u202c Hebrew',
  'e\u0301 (combining acute) vs \u00e9 (precomposed): not normalised',
  'Z̴̡̢̛̗̘̙̜̝̞̟̠̀́̂̃̄̅̆̇̈̉̊ zalgo',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 astral plane, 中文, 日本語, 한국어',
  'line\u2028separator\u2029paragraph\r\nCRLF\ttab',
  '\ufeffBOM at the start, U+FFFD \ufffd, U+FFFF \uffff',
  `quotes ' " \` backslash \\ percent % underscore _ '); DROP TABLE events; --`,
  ' leading and trailing spaces ',
  '',
]

const MIB = 1024 * 1024
const bigText = (): string => {
  // 1 MiB of mixed-width characters (1-4 UTF-8 bytes), not one repeated byte.
  const unit = 'abc é ☃ 👍 '
  return unit.repeat(Math.ceil(MIB / unit.length)).slice(0, MIB)
}

async function withStore<T>(dialect: 'sqlite' | 'postgres', fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await testStoreOf(dialect)
  try {
    return await fn(store)
  } finally {
    await store.close()
  }
}

describe.each(availableDialects)('repository round-trips on %s', (dialect) => {
  it('stores and reads back tricky unicode unchanged, byte for byte', () =>
    withStore(dialect, async (store) => {
      const usage = new UsageService(store.db, { now: () => Date.now() })
      for (const [i, text] of TRICKY.entries()) {
        await usage.record({ userId: `user ${text}`, model: text, inputTokens: i, outputTokens: 1, costUsd: 0.000001, purpose: 'chat', threadId: text })
      }
      const rows = await store.db.selectFrom('llm_usage').select(['user_id', 'model', 'thread_id', 'input_tokens']).orderBy('id').execute()
      expect(rows.map((r) => r.model)).toEqual(TRICKY)
      expect(rows.map((r) => r.thread_id)).toEqual(TRICKY)
      // Equality and grouping see the exact strings (no normalisation, no trimming).
      for (const [i, text] of TRICKY.entries()) {
        expect(await usage.totals({ userId: `user ${text}` })).toMatchObject({ input_tokens: i, calls: 1 })
      }
      const byModel = await usage.byModel()
      expect(byModel.map((m) => m.model).sort()).toEqual([...TRICKY].sort())
    }))

  it('carries tricky text, U+0000 included, through the event log (JSON escapes it)', () =>
    withStore(dialect, async (store) => {
      const bus = await openStoreEventBus(store)
      const contents = [...TRICKY, 'NUL \u0000 inside', 'lone surrogate-free \ud83d\ude00 pair']
      const published = []
      for (const content of contents) published.push(await bus.publish('alice', appEvent('stream_chunk', { content })))
      await bus.close()
      const replayed = await replayFromLog(store.db, 'alice', published[0]!.id - 1)
      expect(replayed!.map((e) => (e.event as { content: string }).content)).toEqual(contents)
    }))

  it('refuses U+0000 in a text column as bad input (400), alike on both dialects', () =>
    withStore(dialect, async (store) => {
      const usage = new UsageService(store.db, { now: () => Date.now() })
      const attempt = usage.record({ userId: 'u', model: 'nul\u0000model', inputTokens: 1, outputTokens: 1, costUsd: 0, purpose: 'chat' })
      await expect(attempt).rejects.toBeInstanceOf(GatewayError)
      await expect(attempt).rejects.toMatchObject({ status: 400, code: 'invalid_text' })
      await expect(usage.totals({ userId: 'nul\u0000user' })).rejects.toMatchObject({ status: 400 })
      expect(await store.db.selectFrom('llm_usage').select('id').execute()).toEqual([])
    }))

  it('stores 1 MiB of text in a column and in an event, and reads it back intact', () =>
    withStore(dialect, async (store) => {
      const text = bigText()
      expect(text.length).toBe(MIB)
      const usage = new UsageService(store.db, { now: () => Date.now() })
      await usage.record({ userId: 'u', model: 'm', inputTokens: 1, outputTokens: 1, costUsd: 0, purpose: 'chat', threadId: text })
      const row = await store.db.selectFrom('llm_usage').select('thread_id').executeTakeFirstOrThrow()
      expect(row.thread_id).toBe(text)

      const bus = await openStoreEventBus(store)
      const event = await bus.publish('u', appEvent('response', { content: text, thread_id: 't' }))
      await bus.close()
      const [back] = (await replayFromLog(store.db, 'u', event.id - 1))!
      expect(back!.json).toBe(event.json)
      expect((back!.event as { content: string }).content).toBe(text)
    }))

  it('keeps every write of concurrent writers, with unique ids', () =>
    withStore(dialect, async (store) => {
      const usage = new UsageService(store.db, { now: () => Date.now() })
      const bus = await openStoreEventBus(store)
      const writers = 8
      const each = 40
      await Promise.all(
        Array.from({ length: writers }, async (_, w) => {
          for (let i = 0; i < each; i++) {
            await Promise.all([
              usage.record({ userId: `w${w}`, model: 'm', inputTokens: i, outputTokens: 0, costUsd: 0.01, purpose: 'chat' }),
              bus.publish(`w${w}`, appEvent('stream_chunk', { content: `${w}:${i}` })),
            ])
          }
        }),
      )
      await bus.close()
      const totals = await usage.byUser()
      expect(totals).toHaveLength(writers)
      for (const t of totals) expect(t).toMatchObject({ calls: each, cost_usd: (each * 0.01).toFixed(6) })
      const events = await store.db.selectFrom('events').select(['id', 'user_id', 'payload']).orderBy('id').execute()
      expect(events).toHaveLength(writers * each)
      expect(new Set(events.map((e) => e.id)).size).toBe(events.length)
      // Each writer's events are stored in the order it published them.
      for (let w = 0; w < writers; w++) {
        const mine = events.filter((e) => e.user_id === `w${w}`).map((e) => (JSON.parse(e.payload) as { content: string }).content)
        expect(mine).toEqual(Array.from({ length: each }, (_, i) => `${w}:${i}`))
      }
    }))
})
