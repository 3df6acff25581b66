import net from 'node:net'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openPostgresStore } from '../../adapters/node/open-node-store'
import { isDatabaseUnavailable } from '../../src/store/unavailable'
import { startTestServer, type TestServer, waitFor } from '../support/gateway'
import { SseClient } from '../support/sse-client'
import { createTestSchema, dropTestSchema, POSTGRES_URL } from '../support/store'

/** A TCP proxy in front of PostgreSQL that the test can cut (every connection reset, new ones refused) and restore. */
async function pgProxy(target: URL) {
  const pairs = new Set<net.Socket>()
  const [host, port] = [target.hostname, Number(target.port || 5432)]
  let down = false
  const server = net.createServer((client) => {
    if (down) return void client.destroy()
    const upstream = net.connect(port, host)
    for (const s of [client, upstream]) {
      pairs.add(s)
      s.on('close', () => pairs.delete(s))
      s.on('error', () => undefined)
    }
    client.pipe(upstream).pipe(client)
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as net.AddressInfo).port,
    cut() {
      down = true
      for (const s of pairs) s.resetAndDestroy()
    },
    restore() {
      down = false
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

/**
 * security-bar.md R6: PostgreSQL goes away under a running gateway and comes back. Requests that
 * need it answer 503 promptly, without the connection string; streams stay up; it recovers
 * without a restart. Needs a PostgreSQL server (CI has one for both passes).
 */
describe.skipIf(!POSTGRES_URL)('PostgreSQL going away and coming back', () => {
  let t: TestServer
  let proxy: Awaited<ReturnType<typeof pgProxy>>
  let schema: string
  let dsn: string
  beforeAll(async () => {
    const target = new URL(POSTGRES_URL!)
    proxy = await pgProxy(target)
    schema = await createTestSchema()
    target.host = `127.0.0.1:${proxy.port}`
    dsn = target.toString()
    t = await startTestServer({ store: await openPostgresStore(dsn, { searchPath: schema }) })
  })
  afterAll(async () => {
    proxy.restore()
    await t?.close()
    await proxy?.close()
    await dropTestSchema(schema)
  })

  const timed = async (path: string, init: RequestInit = {}) => {
    const started = Date.now()
    const res = await fetch(`${t.url}${path}`, { ...init, headers: { ...t.auth, 'content-type': 'application/json', ...init.headers } })
    return { status: res.status, text: await res.text(), ms: Date.now() - started }
  }

  it('answers 503 without the DSN while it is down, keeps streams up, and recovers by itself', async () => {
    expect((await timed('/api/settings/before', { method: 'PUT', body: '{"value":1}' })).status).toBeLessThan(300)
    const sse = await SseClient.open(`${t.url}/api/chat/events`, { headers: t.auth })
    expect(sse.status).toBe(200)

    proxy.cut()
    for (const [path, init] of [['/api/chat/threads', {}], ['/api/settings/during', { method: 'PUT', body: '{"value":2}' }], ['/api/memory/tree', {}], ['/api/settings/before', {}]] as const) {
      const res = await timed(path, init)
      expect(res.status, `${path}: ${res.text}`).toBe(503)
      expect(res.ms, path).toBeLessThan(8_000)
      expect(JSON.parse(res.text)).toMatchObject({ error: { code: 'database_unavailable' } })
      expect(res.text).not.toContain(String(proxy.port))
      expect(res.text).not.toContain('postgres')
    }
    expect((await timed('/api/health')).status).toBe(200)
    expect(sse.ended).toBe(false)

    proxy.restore()
    await waitFor(async () => (await timed('/api/settings/before')).status === 200, 15_000, 'recovery without a restart')
    expect((await timed('/api/settings/after', { method: 'PUT', body: '{"value":3}' })).status).toBeLessThan(300)
    expect((await timed('/api/settings/during')).status).toBe(404)
    sse.close()
  }, 60_000)

  it('survives the connection dying under a running query (it was an uncaught exception)', async () => {
    const store = await openPostgresStore(dsn, { searchPath: schema })
    const uncaught: unknown[] = []
    const record = (error: unknown) => void uncaught.push(error)
    process.on('uncaughtException', record)
    try {
      const running = sql`select pg_sleep(5)`.execute(store.db).then(
        () => undefined,
        (error: unknown) => error,
      )
      await new Promise((r) => setTimeout(r, 300))
      proxy.cut()
      const error = await running
      expect(isDatabaseUnavailable(error)).toBe(true)
      await new Promise((r) => setTimeout(r, 300))
      expect(uncaught).toEqual([])
      proxy.restore()
      // The dead client is not handed out again.
      for (let i = 0; i < 3; i++) expect((await sql<{ x: number }>`select 1 as x`.execute(store.db)).rows).toEqual([{ x: 1 }])
    } finally {
      process.off('uncaughtException', record)
      proxy.restore()
      await store.close()
    }
  })
})

describe('isDatabaseUnavailable', () => {
  it('tells the server being away from a query that is wrong', () => {
    const pgError = (code: string, message = 'x') => Object.assign(new Error(message), { code })
    for (const away of [pgError('ECONNREFUSED'), pgError('57P01'), pgError('08006'), pgError('53300'), new Error('Connection terminated unexpectedly'), new Error('wrapped', { cause: pgError('ECONNRESET') })]) {
      expect(isDatabaseUnavailable(away), String(away)).toBe(true)
    }
    for (const bug of [pgError('23505', 'duplicate key'), pgError('42P01', 'relation does not exist'), pgError('SQLITE_CONSTRAINT'), new TypeError('x is undefined'), 'text', null]) {
      expect(isDatabaseUnavailable(bug), String(bug)).toBe(false)
    }
  })
})
