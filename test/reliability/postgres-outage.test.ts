import { sql } from 'kysely'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { openPostgresStore } from '../../adapters/node/open-store'
import { loadConfig } from '../../src/config/gateway-config'
import { appEvent } from '../../src/protocol/events'
import { isDatabaseUnavailable } from '../../src/store/unavailable'
import { startTestServer, TEST_TOKEN, type TestServer, waitFor } from '../support/gateway'
import { startNode } from '../support/processes'
import { type PgProxy, pgProxy } from '../support/pg-proxy'
import { rawExchange } from '../support/raw-http'
import { SseClient } from '../support/sse-client'
import { createTestSchema, dropTestSchema, POSTGRES_URL, tempDir, withAdmin } from '../support/store'

/**
 * security-bar.md R6: PostgreSQL goes away under a running gateway (refusing and resetting
 * connections, or blackholed), is too slow for the load, or is down when the gateway starts.
 * Requests that need it answer 503 within the database timeout (5 s), without the connection
 * string; every request gets an answer; streams stay up; it recovers without a restart. Needs a
 * PostgreSQL server (CI has one for both passes). Time bounds are twice the requirement, for a
 * loaded 2-core machine.
 */
describe.skipIf(!POSTGRES_URL)('PostgreSQL going away and coming back', () => {
  let t: TestServer
  let proxy: PgProxy
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
  // A failed case must not leave the next one without a database.
  afterEach(() => proxy.restore())
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

  it('answers 503 within the timeout while PostgreSQL is blackholed, and recovers without a restart', async () => {
    // Every pooled connection gets used first, so the blackhole catches open connections too.
    await Promise.all(Array.from({ length: 12 }, (_, i) => timed(`/api/settings/warm${i}`, { method: 'PUT', body: '{"value":1}' })))
    const sse = await SseClient.open(`${t.url}/api/chat/events`, { headers: t.auth })

    proxy.blackhole()
    const routes: Array<[string, RequestInit]> = [['/api/chat/threads', {}], ['/api/settings/blackholed', { method: 'PUT', body: '{"value":2}' }], ['/api/memory/tree', {}], ['/api/settings/warm0', {}]]
    // Each round at once, so it costs one timeout. The first, more requests than the pool has
    // connections: queries on the open ones go unanswered, the rest wait for a free one. The
    // second meets new connections, which never get through the handshake.
    for (const round of [[...routes, ...routes, ...routes], routes]) {
      for (const [i, res] of (await Promise.all(round.map(([path, init]) => timed(path, init)))).entries()) {
        expect(res.status, `${round[i]![0]}: ${res.text}`).toBe(503)
        // The bound is 5 s (the database timeout); 10 s leaves room for a loaded machine.
        expect(res.ms, round[i]![0]).toBeLessThan(10_000)
        expect(JSON.parse(res.text)).toMatchObject({ error: { code: 'database_unavailable' } })
        expect(res.text).not.toContain(String(proxy.port))
      }
    }
    expect((await timed('/api/health')).status).toBe(200)
    expect(sse.ended).toBe(false)

    proxy.restore()
    await waitFor(async () => (await timed('/api/settings/warm0')).status === 200, 20_000, 'recovery without a restart')
    expect((await timed('/api/settings/after-blackhole', { method: 'PUT', body: '{"value":3}' })).status).toBeLessThan(300)
    expect((await timed('/api/settings/blackholed')).status).toBe(404)
    // Events flow again: the listening connection, blackholed too, is found dead (its event does not
    // come back within 2 s, and a check goes unanswered for 5 s) and replaced, rather than at the
    // next periodic check 30 s on. 20 s leaves room for a loaded machine.
    await t.gateway.hub.publish('owner', appEvent('status', { message: 'after the blackhole' }))
    await sse.next((e) => e.json.message === 'after the blackhole', 20_000)
    sse.close()
  }, 60_000)

  it('answers 503 from the pool queue under 200 slow requests, loses no request and no acknowledged write, and serves normally after', async () => {
    // All 10 pooled connections open, then every byte half a second late each way: a query takes
    // 1 s, so the pool serves 10 a second and most of 200 requests wait out the 5 s queue timeout.
    // Reads and writes of one query each: every request waits for the pool once (a route that
    // makes n queries in a row queues n times; see the README).
    await Promise.all(Array.from({ length: 12 }, (_, i) => timed(`/api/settings/warm${i}`, { method: 'PUT', body: '{"value":1}' })))
    proxy.delay(500)
    const results = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => ({
        i,
        ...(await (i % 2 ? timed(`/api/settings/load${i}`, { method: 'PUT', body: JSON.stringify({ value: i }) }) : timed(`/api/settings/warm${i % 12}`))),
      })),
    )
    proxy.restore()
    const served = results.filter((r) => r.status < 300)
    const refused = results.filter((r) => r.status === 503)
    // Every request was answered: served, or refused once no connection freed up in time.
    expect(served.length + refused.length, JSON.stringify(results.filter((r) => r.status >= 300 && r.status !== 503))).toBe(200)
    expect(served.length).toBeGreaterThan(0)
    expect(refused.length).toBeGreaterThan(0)
    for (const r of refused) {
      expect(JSON.parse(r.text)).toMatchObject({ error: { code: 'database_unavailable' } })
      // The bound is the 5 s queue timeout; 10 s leaves room for a loaded machine.
      expect(r.ms).toBeLessThan(10_000)
    }
    // A served request waited at most the queue timeout, then ran its query.
    expect(Math.max(...served.map((r) => r.ms))).toBeLessThan(15_000)

    // Other clients are served at once, and every write that was acknowledged is there.
    expect((await timed('/api/chat/threads')).status).toBe(200)
    for (const r of served.filter((r) => r.i % 2)) expect(JSON.parse((await timed(`/api/settings/load${r.i}`)).text), `load${r.i}`).toMatchObject({ value: r.i })
  }, 60_000)

  it('starts with PostgreSQL down: answers 503 (health too), keeps trying, and is ready once it is up, without a restart', async () => {
    const bootSchema = await createTestSchema()
    const url = new URL(dsn)
    url.searchParams.set('options', `-c search_path=${bootSchema}`)
    proxy.cut()
    const gw = await startNode('adapters/node/main.ts', { GATEWAY_AUTH_TOKEN: TEST_TOKEN, GATEWAY_DATA_DIR: tempDir(), GATEWAY_PORT: '0', DATABASE_URL: url.href })
    try {
      const call = async (path: string, init: RequestInit = {}) => {
        const res = await fetch(`${gw.url}${path}`, { ...init, headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' } })
        return { status: res.status, text: await res.text(), retryAfter: res.headers.get('retry-after'), csp: res.headers.get('content-security-policy') }
      }
      for (const path of ['/api/health', '/api/chat/threads', '/api/settings/boot']) {
        const res = await call(path)
        expect(res.status, `${path}: ${res.text}`).toBe(503)
        expect(JSON.parse(res.text)).toMatchObject({ error: { code: 'database_unavailable' } })
        expect(res.retryAfter).toBe('5')
        expect(res.csp).toContain("default-src 'self'")
        expect(res.text).not.toContain(String(proxy.port))
      }
      // The Host check holds while starting too (DNS rebinding).
      const port = Number(new URL(gw.url).port)
      expect((await rawExchange(port, 'GET /api/health HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n')).status).toBe(421)
      // Still trying, not crashing: a while later it is the same process, still answering.
      await new Promise((r) => setTimeout(r, 1_500))
      expect(gw.child.exitCode).toBeNull()
      expect((await call('/api/health')).status).toBe(503)

      proxy.restore()
      // Backoff is at most 5 s between attempts; 20 s leaves room for migrating on a loaded machine.
      await waitFor(async () => (await call('/api/health')).status === 200, 20_000, 'the gateway to become ready')
      expect((await call('/api/settings/boot', { method: 'PUT', body: '{"value":"up"}' })).status).toBeLessThan(300)
      expect(JSON.parse((await call('/api/settings/boot')).text)).toMatchObject({ value: 'up' })
      expect(gw.child.exitCode).toBeNull()
      expect(gw.output()).toMatch(/cannot be reached \(ECONN(REFUSED|RESET)\)/)
      expect(gw.output()).not.toContain(String(proxy.port))
      expect(gw.output()).not.toMatch(/Unhandled|uncaught/i)
      gw.child.kill('SIGTERM')
      expect(await gw.exited).toBe(0)
    } finally {
      gw.child.kill('SIGKILL')
      await dropTestSchema(bootSchema)
    }
  }, 60_000)

  it('exits with a clear message when PostgreSQL answers but refuses it (a wrong password is not worth waiting for)', async () => {
    const url = new URL(dsn)
    url.password = 'not-the-password'
    const started = await startNode('adapters/node/main.ts', { GATEWAY_AUTH_TOKEN: TEST_TOKEN, GATEWAY_DATA_DIR: tempDir(), GATEWAY_PORT: '0', DATABASE_URL: url.href }).then(
      (gw) => (gw.child.kill('SIGKILL'), undefined),
      (error: { code: unknown; output: string }) => error,
    )
    expect(started?.code).toBe(1)
    expect(started?.output).toContain('gateway failed to start: database migration failed: password authentication failed')
    expect(started?.output).not.toContain('not-the-password')
  }, 30_000)

  it('discards a connection whose query timed out: a blackholed transaction fails in one timeout, and the pool recovers', async () => {
    const store = await openPostgresStore(dsn, { searchPath: schema, timeoutMs: 2_000 })
    try {
      // One pooled connection, open.
      await sql`select 1`.execute(store.db)
      proxy.blackhole()
      const started = Date.now()
      const error = await store.db
        .transaction()
        .execute((trx) => sql`select 1`.execute(trx))
        .then(() => undefined, (e: unknown) => e)
      expect(isDatabaseUnavailable(error), String(error)).toBe(true)
      // One timeout (2 s): the rollback on the same connection fails at once instead of waiting
      // out a second one behind the lost query. 3.5 s leaves room for a loaded machine.
      expect(Date.now() - started).toBeLessThan(3_500)
      proxy.restore()
      // Had the connection gone back to the pool, this would queue behind the lost query.
      expect((await sql<{ x: number }>`select 1 as x`.execute(store.db)).rows).toEqual([{ x: 1 }])
    } finally {
      proxy.restore()
      await store.close()
    }
  })

  it('migrates on a connection without the query timeout: an instance waits out another one holding the migration lock', async () => {
    const lockSchema = await createTestSchema()
    try {
      // Kysely's migration lock (PostgresAdapter, kysely/dist/esm/dialect/postgres/postgres-adapter.js),
      // held by "another instance" for longer than this one's query timeout.
      const held = withAdmin(async (client) => {
        await client.query('select pg_advisory_lock(3853314791062309107)')
        await new Promise((r) => setTimeout(r, 1_500))
        await client.query('select pg_advisory_unlock(3853314791062309107)')
      })
      await new Promise((r) => setTimeout(r, 200))
      const started = Date.now()
      const store = await openPostgresStore(POSTGRES_URL!, { searchPath: lockSchema, timeoutMs: 300 })
      expect(Date.now() - started).toBeGreaterThan(1_000)
      expect((await sql<{ n: number }>`select count(*)::int as n from settings`.execute(store.db)).rows).toEqual([{ n: 0 }])
      await store.close()
      await held
    } finally {
      await dropTestSchema(lockSchema)
    }
  })

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

describe('the database timeout', () => {
  it('is 5 s unless DATABASE_TIMEOUT_SECS says otherwise', () => {
    expect(loadConfig({}).databaseTimeoutMs).toBe(5_000)
    expect(loadConfig({ DATABASE_TIMEOUT_SECS: '12.5' }).databaseTimeoutMs).toBe(12_500)
    expect(() => loadConfig({ DATABASE_TIMEOUT_SECS: 'soon' })).toThrow()
    expect(() => loadConfig({ DATABASE_TIMEOUT_SECS: '0' })).toThrow()
  })
})

describe('isDatabaseUnavailable', () => {
  it('tells the server being away from a query that is wrong', () => {
    const pgError = (code: string, message = 'x') => Object.assign(new Error(message), { code })
    for (const away of [pgError('ECONNREFUSED'), pgError('57P01'), pgError('08006'), pgError('53300'), new Error('Connection terminated unexpectedly'), new Error('Query read timeout'), new Error('wrapped', { cause: pgError('ECONNRESET') })]) {
      expect(isDatabaseUnavailable(away), String(away)).toBe(true)
    }
    for (const bug of [pgError('23505', 'duplicate key'), pgError('42P01', 'relation does not exist'), pgError('SQLITE_CONSTRAINT'), new TypeError('x is undefined'), 'text', null]) {
      expect(isDatabaseUnavailable(bug), String(bug)).toBe(false)
    }
  })
})
