import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openSqliteStore } from '../../adapters/node/open-store'
import type { PreparedEvent } from '../../src/ports/prepared-event'
import { appEvent } from '../../src/protocol/events'
import type { Dialect, Store } from '../../src/store/database'
import { openStoreEventBus } from '../../src/bus/open-event-bus'
import { availableDialects, createTestSchema, dropTestSchema, openSchemaStore, tempDir } from '../support/store'

const chunk = (content: string) => appEvent('stream_chunk', { content })
const contents = (events: PreparedEvent[] | null) => events?.map((e) => (e.event as { content: string }).content)

/** One database that can be opened, closed and opened again, as across a restart. */
async function database(dialect: Dialect): Promise<{ open(): Promise<Store>; drop(): Promise<void> }> {
  if (dialect === 'sqlite') {
    const file = join(tempDir('gw-log-'), 'gateway.db')
    return { open: () => openSqliteStore(file), drop: async () => {} }
  }
  const schema = await createTestSchema()
  return { open: () => openSchemaStore(schema), drop: () => dropTestSchema(schema) }
}

describe.each(availableDialects)('the persisted event log on %s', (dialect) => {
  it('replays after a restart, mixing what is in memory with what only the table has', async () => {
    const db = await database(dialect)
    try {
      const store1 = await db.open()
      const bus1 = await openStoreEventBus(store1)
      const e1 = await bus1.publish('alice', chunk('1'))
      await bus1.publish('alice', chunk('2'))
      await bus1.publish(null, chunk('3 (everyone)'))
      await bus1.publish('bob', chunk('bob only'))
      await bus1.close()
      await store1.close()

      const store2 = await db.open()
      const bus2 = await openStoreEventBus(store2)
      expect(contents(await bus2.replay('alice', e1.id))).toEqual(['2', '3 (everyone)'])
      const e5 = await bus2.publish('alice', chunk('5'))
      expect(e5.id).toBeGreaterThan(e1.id + 3)
      expect(contents(await bus2.replay('alice', e1.id))).toEqual(['2', '3 (everyone)', '5'])
      expect(contents(await bus2.replay('alice', e5.id))).toEqual([])
      expect(await bus2.replay('alice', e5.id + 100)).toBeNull()
      await bus2.close()
      await store2.close()
    } finally {
      await db.drop()
    }
  })

  it('keeps events for the retention period, then prunes them and reports the gap', async () => {
    const db = await database(dialect)
    const store = await db.open()
    try {
      let now = Date.parse('2026-03-01T12:00:00Z')
      const bus = await openStoreEventBus(store, { retentionMs: 24 * 3600_000, now: () => now })
      const old = await bus.publish('alice', chunk('old'))
      await bus.publish('alice', chunk('old 2'))
      now += 23 * 3600_000
      const kept = await bus.publish('alice', chunk('kept'))
      await (bus as unknown as { prune(): Promise<void> }).prune()
      expect(contents(await bus.replay('alice', old.id))).toEqual(['old 2', 'kept'])
      now += 2 * 3600_000
      await (bus as unknown as { prune(): Promise<void> }).prune()
      const ids = (await store.db.selectFrom('events').select('id').execute()).map((r) => r.id)
      expect(ids).toEqual([kept.id])
      await bus.close()
      // After a restart the ring is empty, so the table decides: the successors of `old` are gone.
      const again = await openStoreEventBus(store, { retentionMs: 24 * 3600_000, now: () => now })
      expect(await again.replay('alice', old.id)).toBeNull()
      expect(contents(await again.replay('alice', kept.id - 1))).toEqual(['kept'])
      await again.close()
    } finally {
      await store.close()
      await db.drop()
    }
  })
})

describe.each(availableDialects)('compaction of the event log on %s (issue 27)', (dialect) => {
  it('folds away old streaming deltas, keeps what happened, and sends a replay from before them to resync', async () => {
    const db = await database(dialect)
    const store = await db.open()
    try {
      let now = Date.parse('2026-03-01T12:00:00Z')
      const options = { retentionMs: 24 * 3600_000, compactAfterMs: 3600_000, now: () => now }
      const bus = await openStoreEventBus(store, options)
      const before = await bus.publish('alice', appEvent('status', { message: 'Thinking' }))
      // 20 answers of 20 chunks each: the chatter is 95% of the rows.
      for (let turn = 0; turn < 20; turn++) {
        for (let i = 0; i < 20; i++) await bus.publish('alice', chunk(`t${turn} c${i} `))
        await bus.publish('alice', appEvent('response', { content: `answer ${turn}`, thread_id: 'th1' }))
      }
      now += 2 * 3600_000
      const recent = await bus.publish('alice', chunk('recent'))
      await bus.publish('alice', chunk('newest'))
      await (bus as unknown as { prune(): Promise<void> }).prune()
      const rows = await store.db.selectFrom('events').select(['id', 'type']).orderBy('id').execute()
      expect(rows.map((r) => r.type)).toEqual([...Array(20).fill('response'), 'stream_chunk', 'stream_chunk'])
      await bus.close()

      // After a restart the table decides: from before the folded deltas, resync; after them, the exact events.
      const again = await openStoreEventBus(store, options)
      expect(await again.replay('alice', before.id)).toBeNull()
      expect(contents(await again.replay('alice', recent.id - 1))).toEqual(['recent', 'newest'])
      // Ids go on after the newest event, which compaction never removes.
      expect((await again.publish('alice', chunk('next'))).id).toBeGreaterThan(recent.id + 1)
      await again.close()
    } finally {
      await store.close()
      await db.drop()
    }
  })
})

describe('the event log on SQLite, which this process holds alone', () => {
  it('sends an event before its row is written, in id order even when a listener publishes in turn', async () => {
    const store = await openSqliteStore(join(tempDir('gw-first-'), 'gateway.db'))
    const bus = await openStoreEventBus(store)
    const seen: string[] = []
    const writesBefore = store.writes!()
    let writesAtFirstSend = -1
    bus.onEvent((e) => {
      const content = (e.event as { content: string }).content
      seen.push(`sent ${e.id} ${content}`)
      if (content === 'a') writesAtFirstSend = store.writes!() - writesBefore
      if (content === 'a') void bus.publish('alice', chunk('a, answered'))
    })
    const a = bus.publish('alice', chunk('a'))
    const b = bus.publish('alice', chunk('b'))
    const first = bus.lastId() - 1
    void a.then((e) => seen.push(`stored ${e.id - first + 1}`))
    await Promise.all([a, b])
    await bus.close()
    expect(seen.slice(0, 3).map((line) => line.replace(/\d+/, (id) => String(Number(id) - first + 1)))).toEqual(['sent 1 a', 'sent 2 b', 'sent 3 a, answered'])
    expect(writesAtFirstSend).toBe(0)
    expect(seen.indexOf('stored 1')).toBeGreaterThan(0)
    const rows = await store.db.selectFrom('events').select(['id', 'payload']).orderBy('id').execute()
    expect(rows.map((r) => [r.id - first + 1, JSON.parse(r.payload).content])).toEqual([[1, 'a'], [2, 'b'], [3, 'a, answered']])
    await store.close()
  })


  it('gives no id a client saw twice, even one whose row a crash kept from being written', async () => {
    const file = join(tempDir('gw-lost-'), 'gateway.db')
    const store1 = await openSqliteStore(file)
    const bus1 = await openStoreEventBus(store1)
    await bus1.publish('alice', chunk('kept'))
    // Sent to the client, then the process died before its row was written.
    const lost = await bus1.publish('alice', chunk('lost'))
    await store1.db.deleteFrom('events').where('id', '=', lost.id).execute()
    await bus1.close()
    await store1.close()

    const store2 = await openSqliteStore(file)
    const bus2 = await openStoreEventBus(store2)
    // Reconnecting before anything new: the client is told its events are gone.
    expect(await bus2.replay('alice', lost.id)).toBeNull()
    const next = await bus2.publish('alice', chunk('after the restart'))
    expect(next.id).toBeGreaterThan(lost.id)
    // Reconnecting later: it gets what came after, not a new event under an id it already has.
    expect(contents(await bus2.replay('alice', lost.id))).toEqual(['after the restart'])
    await bus2.close()
    await store2.close()
  })
})
