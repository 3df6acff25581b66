import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { openPostgresStore } from '../../adapters/node/open-store'
import type { PgNotifier } from '../../adapters/shared/pg-notifier'
import type { BusControl } from '../../src/ports/event-bus'
import type { PreparedEvent } from '../../src/ports/prepared-event'
import { appEvent } from '../../src/protocol/events'
import type { Store } from '../../src/store/database'
import { PostgresEventBus } from '../../src/bus/postgres-event-bus'
import { waitFor } from '../support/gateway'
import { createTestSchema, dropTestSchema, openSchemaStore, POSTGRES_URL, withAdmin } from '../support/store'

const chunk = (content: string) => appEvent('stream_chunk', { content })
const contentOf = (e: PreparedEvent) => (e.event as { content?: string }).content

/** One "instance": a store of its own (pool + listening connection) on the shared schema, and its bus. */
interface Instance {
  store: Store
  bus: PostgresEventBus
  events: PreparedEvent[]
  controls: BusControl[]
}

describe.skipIf(!POSTGRES_URL)('PostgresEventBus across instances', () => {
  let schema: string
  const open: Instance[] = []

  const instance = async (options: { retentionMs?: number; now?: () => number; backoffMs?: number } = {}): Promise<Instance> => {
    const backoff = options.backoffMs ?? 20
    const store = await openSchemaStore(schema, { notifier: { minBackoffMs: backoff, maxBackoffMs: backoff * 10 } })
    const bus = await PostgresEventBus.open(store, options)
    const it: Instance = { store, bus, events: [], controls: [] }
    bus.onEvent((e) => it.events.push(e))
    bus.onControl((m) => it.controls.push(m))
    open.push(it)
    return it
  }

  const fresh = async () => {
    schema = await createTestSchema()
  }

  afterEach(async () => {
    for (const it of open.splice(0)) {
      await it.bus.close()
      await it.store.close()
    }
    await dropTestSchema(schema)
  })

  it('delivers every event to every instance, in the same increasing id order, local ones included', async () => {
    await fresh()
    const a = await instance()
    const b = await instance()
    const published = await Promise.all(
      Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).bus.publish(i % 3 ? 'alice' : null, chunk(String(i)))),
    )
    // `await publish()` means this instance's listeners have the event.
    for (const [i, e] of published.entries()) expect((i % 2 ? a : b).events.some((x) => x.id === e.id)).toBe(true)
    await waitFor(() => a.events.length === 30 && b.events.length === 30, 5_000, 'both instances to have 30 events')
    const ids = a.events.map((e) => e.id)
    expect(ids).toEqual([...ids].sort((x, y) => x - y))
    expect(new Set(ids).size).toBe(30)
    expect(b.events.map((e) => [e.id, e.userId, e.json])).toEqual(a.events.map((e) => [e.id, e.userId, e.json]))
    expect(a.bus.lastId()).toBe(ids.at(-1))
    expect(b.bus.lastId()).toBe(ids.at(-1))
  })

  it('keeps one publisher\'s events in publish order even when they are not awaited one by one', async () => {
    await fresh()
    const a = await instance()
    const b = await instance()
    await Promise.all(Array.from({ length: 50 }, (_, i) => a.bus.publish('alice', chunk(String(i)))))
    await waitFor(() => b.events.length === 50)
    expect(b.events.map(contentOf)).toEqual(Array.from({ length: 50 }, (_, i) => String(i)))
  })

  it('stores a burst in publish order, and one event the database refuses fails alone', async () => {
    await fresh()
    const a = await instance()
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) => a.bus.publish(i === 7 ? 'bad\u0000user' : 'alice', chunk(String(i)))),
    )
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1)
    expect(results[7]!.status).toBe('rejected')
    const delivered = a.events.map(contentOf)
    expect(delivered).toEqual(Array.from({ length: 40 }, (_, i) => String(i)).filter((x) => x !== '7'))
  })

  it('sends payloads over the 8000-byte NOTIFY limit through the table, in order', async () => {
    await fresh()
    const a = await instance()
    const b = await instance()
    const big = 'x'.repeat(20_000) + ' ünïcödé 👍'
    await a.bus.publish('alice', chunk('before'))
    const large = await a.bus.publish('alice', chunk(big))
    await a.bus.publish('alice', chunk('after'))
    await waitFor(() => b.events.length === 3)
    expect(b.events.map(contentOf)).toEqual(['before', big, 'after'])
    expect(b.events[1]!.id).toBe(large.id)
    expect(a.events.map(contentOf)).toEqual(['before', big, 'after'])
  })

  it('carries control messages to the other instances, once, and applies them at once on the publisher', async () => {
    await fresh()
    const a = await instance()
    const b = await instance()
    const c = await instance()
    const messages: BusControl[] = [
      { kind: 'disconnect', userId: 'alice', tokenId: 'tok-1' },
      { kind: 'invalidate_auth', tokenHash: 'abc123' },
      { kind: 'custom', topic: 'settings', payload: { big: 'y'.repeat(10_000), n: [1, 2] } },
    ]
    for (const m of messages) await a.bus.publishControl(m)
    expect(a.controls).toEqual(messages)
    await waitFor(() => b.controls.length === 3 && c.controls.length === 3)
    expect(b.controls).toEqual(messages)
    expect(c.controls).toEqual(messages)
    // Nothing echoes back to the publisher.
    await b.bus.publish('alice', chunk('flush'))
    await waitFor(() => a.events.length === 1)
    expect(a.controls).toHaveLength(3)
  })

  it('catches up after its listening connection drops: missed events and controls arrive, in order, once', async () => {
    await fresh()
    const a = await instance()
    // B waits ~0.5 s before reconnecting, so what A publishes meanwhile can only come from the table.
    const b = await instance({ backoffMs: 500 })
    await a.bus.publish('alice', chunk('0'))
    await waitFor(() => b.events.length === 1)
    const notifier = b.store.notifier as PgNotifier
    const pid = notifier.backendPid
    expect(pid).toBeTypeOf('number')
    await withAdmin((admin) => admin.query('select pg_terminate_backend($1)', [pid]))
    await waitFor(() => !notifier.connected, 5_000, 'the listener to notice')
    // Published while B is not listening (it reconnects within its backoff).
    for (let i = 1; i <= 5; i++) await a.bus.publish(i % 2 ? 'alice' : null, chunk(String(i)))
    await a.bus.publishControl({ kind: 'disconnect', userId: 'bob' })
    expect(notifier.connected).toBe(false)
    await waitFor(() => notifier.connected && notifier.backendPid !== pid, 5_000, 'the listener to reconnect')
    await a.bus.publish('alice', chunk('6'))
    await waitFor(() => b.events.length === 7, 5_000, 'B to catch up')
    expect(b.events.map(contentOf)).toEqual(['0', '1', '2', '3', '4', '5', '6'])
    expect(b.events.map((e) => e.id)).toEqual(a.events.map((e) => e.id))
    expect(b.controls).toEqual([{ kind: 'disconnect', userId: 'bob' }])
    // Publishing on B works across the reconnect too.
    await b.bus.publish('alice', chunk('from b'))
    await waitFor(() => a.events.length === 8)
  })

  it('notices a blackholed listening connection by its ping, reconnects, and catches up', async () => {
    await fresh()
    const a = await instance()
    const proxy = await blackholeProxy(new URL(POSTGRES_URL!))
    try {
      const url = new URL(POSTGRES_URL!)
      url.port = String(proxy.port)
      const store = await openPostgresStore(url.href, { searchPath: schema, notifier: { pingIntervalMs: 100, pingTimeoutMs: 300, minBackoffMs: 50, maxBackoffMs: 200 } })
      const bus = await PostgresEventBus.open(store)
      const b: Instance = { store, bus, events: [], controls: [] }
      bus.onEvent((e) => b.events.push(e))
      open.push(b)
      await a.bus.publish('alice', chunk('before'))
      await waitFor(() => b.events.length === 1)

      proxy.freeze() // packets vanish; no FIN, no RST
      const notifier = store.notifier as PgNotifier
      await a.bus.publish('alice', chunk('during'))
      await waitFor(() => !notifier.connected, 5_000, 'the ping to find the dead connection')
      proxy.thaw()
      await a.bus.publish('alice', chunk('after'))
      await waitFor(() => b.events.length === 3, 10_000, 'B to reconnect and catch up')
      expect(b.events.map(contentOf)).toEqual(['before', 'during', 'after'])
    } finally {
      proxy.close()
    }
  })

  it('replays on any instance, and after a restart from the table; a gap it cannot fill is reported', async () => {
    await fresh()
    const a = await instance()
    const b = await instance()
    const first = await a.bus.publish('alice', chunk('1'))
    await a.bus.publish('bob', chunk('not alice'))
    await b.bus.publish(null, chunk('2 (broadcast)'))
    await a.bus.publish('alice', chunk('3'))
    await waitFor(() => b.events.length === 4)
    expect((await b.bus.replay('alice', first.id))!.map(contentOf)).toEqual(['2 (broadcast)', '3'])
    // A new instance (a restart) has nothing in memory: the table answers.
    const c = await instance()
    expect((await c.bus.replay('alice', first.id))!.map(contentOf)).toEqual(['2 (broadcast)', '3'])
    expect((await c.bus.replay('alice', first.id - 1))!.map(contentOf)).toEqual(['1', '2 (broadcast)', '3'])
    // An id this database never issued.
    expect(await c.bus.replay('alice', c.bus.lastId() + 1000)).toBeNull()
  })

  it('prunes events after the retention period but keeps the newest; replay from before the cut is a gap', async () => {
    await fresh()
    let now = Date.parse('2026-01-01T00:00:00Z')
    const a = await instance({ retentionMs: 60_000, now: () => now })
    const old1 = await a.bus.publish('alice', chunk('old 1'))
    await a.bus.publish('alice', chunk('old 2'))
    await a.bus.publishControl({ kind: 'invalidate_auth', userId: 'alice' })
    now += 120_000
    const recent = await a.bus.publish('alice', chunk('recent'))
    await a.bus.prune()
    const kept = await a.store.db.selectFrom('events').select('id').orderBy('id').execute()
    expect(kept.map((r) => r.id)).toEqual([recent.id])
    expect(await a.store.db.selectFrom('bus_controls').select('id').execute()).toEqual([])
    // Restarted instance: old1's successors are gone, so the client must resync.
    const b = await instance({ retentionMs: 60_000, now: () => now })
    expect(await b.bus.replay('alice', old1.id)).toBeNull()
    expect(await b.bus.replay('alice', recent.id)).toEqual([])
    // Everything pruned but the newest: it stays as the marker of where the log continues.
    now += 120_000
    await b.bus.prune()
    expect((await b.store.db.selectFrom('events').select('id').execute()).map((r) => r.id)).toEqual([recent.id])
  })
})

/**
 * A TCP proxy to PostgreSQL that can turn into a black hole: frozen, it drops every byte both
 * ways without closing anything (a dead peer behind a NAT or firewall) and refuses new
 * connections; thawed, it forwards again.
 */
async function blackholeProxy(target: URL) {
  let frozen = false
  const sockets = new Set<net.Socket>()
  const server = net.createServer((client) => {
    if (frozen) return void client.destroy()
    const upstream = net.connect(Number(target.port || 5432), target.hostname)
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      sockets.add(from)
      from.on('data', (chunk) => frozen || to.write(chunk))
      from.on('error', () => to.destroy())
      from.on('close', () => {
        sockets.delete(from)
        to.destroy()
      })
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as net.AddressInfo).port,
    freeze: () => void (frozen = true),
    thaw: () => void (frozen = false),
    close: () => {
      server.close()
      for (const s of sockets) s.destroy()
    },
  }
}
