import { afterEach, describe, expect, it } from 'vitest'
import { startGateway, StartingGateway } from '../../adapters/shared/starting-gateway'
import { type Gateway, GatewayConfig } from '../../src/index'
import { TEST_TOKEN, testGateway, waitFor } from '../support/gateway'

/** What `pg` throws when nothing listens on the database's port. */
const refused = () => Object.assign(new Error('database migration failed: connect ECONNREFUSED 10.1.2.3:5432'), { code: 'ECONNREFUSED' })
const config = GatewayConfig.parse({ authToken: TEST_TOKEN })
const fast = { minBackoffMs: 5, maxBackoffMs: 20 }

const call = (gateway: { fetch: Gateway['fetch'] }, path: string, host = '127.0.0.1:4321') =>
  Promise.resolve(gateway.fetch(new Request(`http://${host}${path}`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } })))

/**
 * security-bar.md R6, down at boot: the gateway is served while its database cannot be reached,
 * and takes over once it can (the CLI process against a real PostgreSQL is in
 * test/reliability/postgres-outage.test.ts).
 */
describe('a gateway whose database cannot be reached at start', () => {
  const cleanup: Array<() => unknown> = []
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn()
  })

  it('answers 503 database_unavailable, health included, then hands every request to the gateway once it is created', async () => {
    let attempts = 0
    let databaseUp = false
    let created: Gateway | undefined
    const started = await startGateway(
      config,
      async () => {
        attempts++
        if (!databaseUp) throw refused()
        return (created = await testGateway())
      },
      fast,
    )
    expect(started).toBeInstanceOf(StartingGateway)
    const starting = started as StartingGateway
    cleanup.push(() => starting.close())
    starting.origins.setListenAddress('127.0.0.1', 4321)

    for (const path of ['/api/health', '/api/chat/threads', '/', '/api/chat/events']) {
      const res = await call(starting, path)
      expect(res.status, path).toBe(503)
      expect(res.headers.get('retry-after')).toBe('5')
      expect(res.headers.get('x-frame-options')).toBe('DENY')
      const body = await res.text()
      expect(JSON.parse(body)).toMatchObject({ error: { code: 'database_unavailable' } })
      expect(body).not.toContain('10.1.2.3')
    }
    expect((await call(starting, '/api/health', 'evil.example')).status).toBe(421)
    await waitFor(() => attempts >= 3)
    expect(starting.started).toBe(false)

    databaseUp = true
    expect(await starting.ready).toBe(created)
    expect(starting.started).toBe(true)
    expect((await call(starting, '/api/health')).status).toBe(200)
    expect((await call(starting, '/api/chat/threads')).status).toBe(200)
    // The listening address reached the gateway: its Host check knows the bind is loopback.
    expect((await call(starting, '/api/health', 'evil.example')).status).toBe(421)
  })

  it('stops trying, and says why, when an attempt fails for another reason than the database being away', async () => {
    let attempts = 0
    const starting = (await startGateway(
      config,
      async () => {
        if (++attempts < 3) throw refused()
        throw new Error('database migration 0004-users failed: syntax error')
      },
      fast,
    )) as StartingGateway
    cleanup.push(() => starting.close())
    await expect(starting.ready).rejects.toThrow(/syntax error/)
    expect(attempts).toBe(3)
    // Still a standby until the caller (the CLI) exits.
    expect((await call(starting, '/api/health')).status).toBe(503)
  })

  it('throws at once when the first failure is not the database being away (a broken migration, a locked data dir)', async () => {
    await expect(startGateway(config, () => Promise.reject(new Error('another gateway holds the data dir')), fast)).rejects.toThrow(/holds the data dir/)
  })

  it('stops trying when closed', async () => {
    let attempts = 0
    const starting = (await startGateway(
      config,
      async () => {
        attempts++
        throw refused()
      },
      { minBackoffMs: 60_000 },
    )) as StartingGateway
    await starting.close()
    expect(await starting.ready).toBeUndefined()
    expect(attempts).toBe(1)
  })

  it('closes a gateway whose creation finished after it was closed', async () => {
    let attempts = 0
    let finish!: (gateway: Gateway) => void
    const starting = (await startGateway(
      config,
      () => (++attempts === 1 ? Promise.reject(refused()) : new Promise<Gateway>((resolve) => (finish = resolve))),
      fast,
    )) as StartingGateway
    await waitFor(() => attempts === 2)
    await starting.close()
    const gateway = await testGateway()
    let closed = false
    gateway.onClose(() => void (closed = true))
    finish(gateway)
    expect(await starting.ready).toBeUndefined()
    expect(closed).toBe(true)
    expect((await call(starting, '/api/health')).status).toBe(503)
  })
})
