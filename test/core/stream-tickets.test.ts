import { afterAll, describe, expect, it } from 'vitest'
import type { Principal } from '../../src/ports/principal'
import { StreamTickets } from '../../src/auth/stream-tickets'
import { SseClient } from '../support/sse-client'
import { startTestServer, TEST_TOKEN, testGateway, waitFor } from '../support/gateway'
import { WsClient } from '../support/ws-client'
import { GatewayLogging } from '../../src/logging/gateway-logging'
import { createUser, manualClock } from '../support/users'

const alice: Principal = { userId: 'alice', role: 'member', tokenId: 'tok-a', displayName: null }
const bob: Principal = { userId: 'bob', role: 'member', tokenId: 'tok-b', displayName: null }
const credential = new Uint8Array(32).fill(7)
/** The ticket, or the test fails: these issues are within every bound. */
const issued = (result: ReturnType<StreamTickets['issue']>) => {
  if (result.refused) throw new Error(`ticket refused: ${result.refused}`)
  return result
}

describe('StreamTickets', () => {
  it('redeems a ticket once, on its own path, before it expires', () => {
    let now = 1_000
    const tickets = new StreamTickets({ ttlMs: 60_000, now: () => now })
    const a = issued(tickets.issue(alice, '/api/chat/events', credential))
    expect(a.ticket).toMatch(/^[0-9a-f]{64}$/)
    expect(a.expiresAt).toBe(61_000)
    expect(tickets.redeem(a.ticket, '/api/chat/events')).toEqual({ principal: alice, credential })
    expect(tickets.redeem(a.ticket, '/api/chat/events')).toBeNull()

    const wrongPath = issued(tickets.issue(alice, '/api/chat/events', credential))
    expect(tickets.redeem(wrongPath.ticket, '/api/logs/events')).toBeNull()
    // Spent by the failed attempt: a guessed path does not get a second try.
    expect(tickets.redeem(wrongPath.ticket, '/api/chat/events')).toBeNull()

    const mounted = issued(tickets.issue(alice, '/api/chat/events', credential))
    expect(tickets.redeem(mounted.ticket, '/agent/api/chat/events')?.principal).toEqual(alice)

    const late = issued(tickets.issue(alice, '/api/chat/events', credential))
    now += 60_000
    expect(tickets.redeem(late.ticket, '/api/chat/events')).toBeNull()
    expect(tickets.redeem('0'.repeat(64), '/api/chat/events')).toBeNull()
    expect(tickets.redeem('short', '/api/chat/events')).toBeNull()
  })

  it('only issues tickets for stream routes', () => {
    const tickets = new StreamTickets()
    for (const path of ['/api/chat/events', '/api/chat/ws', '/api/logs/events']) {
      expect(tickets.issue(alice, path, credential).refused, path).toBeUndefined()
    }
    for (const path of ['/api/chat/send', '/api/chat/events/', '/api/memory/read', '/api/chat/eventsX', '/api/jobs/0b3e9c3e-8d1a-4f5e-9a43-1c2d3e4f5a6b/events']) {
      expect(() => tickets.issue(alice, path, credential), path).toThrow(RangeError)
    }
  })

  it('stays bounded: per user (refused with when the oldest expires) and in total (refused)', () => {
    let now = 0
    const tickets = new StreamTickets({ perUser: 3, capacity: 5, now: () => now })
    const first = issued(tickets.issue(alice, '/api/chat/events', credential))
    now += 10_000
    for (let i = 0; i < 2; i++) issued(tickets.issue(alice, '/api/chat/events', credential))
    expect(tickets.issue(alice, '/api/chat/events', credential)).toEqual({ refused: 'user_quota', retryAfterMs: 50_000 })
    expect(tickets.size).toBe(3)
    // The tickets held are all still good: a greedy caller cannot push out its own earlier ones.
    expect(tickets.redeem(first.ticket, '/api/chat/events')).not.toBeNull()
    issued(tickets.issue(alice, '/api/chat/events', credential))
    issued(tickets.issue(bob, '/api/chat/events', credential))
    issued(tickets.issue(bob, '/api/chat/events', credential))
    expect(tickets.issue({ ...bob, userId: 'carol' }, '/api/chat/events', credential)).toMatchObject({ refused: 'full' })
    // Expired tickets are swept before the capacity check.
    now += 61_000
    issued(tickets.issue({ ...bob, userId: 'carol' }, '/api/chat/events', credential))
    expect(tickets.size).toBe(1)
  })

  it('forgets the tickets of a revoked token or user', () => {
    const tickets = new StreamTickets()
    const a = issued(tickets.issue(alice, '/api/chat/events', credential))
    const b = issued(tickets.issue(bob, '/api/chat/events', credential))
    tickets.revoke({ tokenId: 'tok-a' })
    expect(tickets.redeem(a.ticket, '/api/chat/events')).toBeNull()
    tickets.revoke({ userId: 'bob' })
    expect(tickets.redeem(b.ticket, '/api/chat/events')).toBeNull()
  })
})

describe('POST /api/auth/stream-ticket', async () => {
  const gw = await testGateway()
  const ticketFor = async (path: string) => {
    const res = await gw.request('/api/auth/stream-ticket', { method: 'POST', json: { path } })
    expect(res.status).toBe(200)
    return ((await res.json()) as { ticket: string; expires_at: string; path: string })
  }

  it('needs the bearer token and a stream path', async () => {
    expect((await gw.request('/api/auth/stream-ticket', { method: 'POST', json: { path: '/api/chat/events' }, token: null })).status).toBe(401)
    const bad = await gw.request('/api/auth/stream-ticket', { method: 'POST', json: { path: '/api/chat/history' } })
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('not_a_stream_path')
    expect((await gw.request('/api/auth/stream-ticket', { method: 'POST', json: {} })).status).toBe(400)
  })

  it('opens the stream it was issued for, once', async () => {
    const issued = await ticketFor('/api/chat/events')
    expect(issued.path).toBe('/api/chat/events')
    expect(Date.parse(issued.expires_at)).toBeGreaterThan(Date.now())
    const res = await gw.app.request(`/api/chat/events?ticket=${issued.ticket}`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
    await res.body?.cancel()
    expect((await gw.app.request(`/api/chat/events?ticket=${issued.ticket}`)).status).toBe(401)
  })

  it('is refused on other routes, with a header, and as a token', async () => {
    const issued = await ticketFor('/api/chat/events')
    expect((await gw.app.request(`/api/auth/whoami?ticket=${issued.ticket}`)).status).toBe(401)
    expect((await gw.app.request(`/api/chat/events?ticket=${issued.ticket}`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401)
    expect((await gw.app.request('/api/auth/whoami', { headers: { authorization: `Bearer ${issued.ticket}` } })).status).toBe(401)
    // A bad ticket is not rescued by a good ?token= beside it.
    const other = await ticketFor('/api/chat/events')
    expect((await gw.app.request(`/api/chat/events?ticket=${'f'.repeat(64)}&token=${TEST_TOKEN}`)).status).toBe(401)
    const ok = await gw.app.request(`/api/chat/events?ticket=${other.ticket}`)
    expect(ok.status).toBe(200)
    await ok.body?.cancel()
  })

  it('is dropped when the caller is invalidated (revoked token, suspended user)', async () => {
    const issued = await ticketFor('/api/chat/events')
    gw.auth.invalidate({ userId: 'owner' })
    expect((await gw.app.request(`/api/chat/events?ticket=${issued.ticket}`)).status).toBe(401)
  })
})

describe('stream tickets over real sockets', async () => {
  const server = await startTestServer()
  afterAll(() => server.close())
  const ticketFor = async (path: string) => {
    const res = await fetch(`${server.url}/api/auth/stream-ticket`, {
      method: 'POST',
      headers: { ...server.auth, 'content-type': 'application/json' },
      body: JSON.stringify({ path }),
    })
    return ((await res.json()) as { ticket: string }).ticket
  }

  it('streams events to an EventSource-style client that holds a ticket', async () => {
    const sse = await SseClient.open(`${server.url}/api/chat/events?ticket=${await ticketFor('/api/chat/events')}`)
    expect(sse.status).toBe(200)
    await server.gateway.channel.sendStatus({ userId: 'owner', threadId: 't1' }, { type: 'status', message: 'hello' })
    const event = await sse.next((e) => e.event === 'status')
    expect(event.json).toMatchObject({ type: 'status', message: 'hello', thread_id: 't1' })
    sse.close()
  })

  it('opens a WebSocket with a ticket for /api/chat/ws only', async () => {
    const ws = await WsClient.connect(`${server.wsUrl}/api/chat/ws?ticket=${await ticketFor('/api/chat/ws')}`, { origin: server.origin })
    ws.send({ type: 'ping', id: 'p1' })
    await ws.next((f) => f.type === 'pong')
    ws.close()
    const sseTicket = await ticketFor('/api/chat/events')
    await expect(WsClient.connect(`${server.wsUrl}/api/chat/ws?ticket=${sseTicket}`, { origin: server.origin })).rejects.toMatchObject({ status: 401 })
  })
})

describe('stream tickets on the admin log stream', async () => {
  const gw = await testGateway({ logging: new GatewayLogging({ level: 'info' }), config: { limits: { keepAliveMs: 60_000 } } })
  afterAll(() => gw.close())
  const ticketFor = async (token?: string) => {
    const res = await gw.request('/api/auth/stream-ticket', { method: 'POST', json: { path: '/api/logs/events' }, ...(token ? { token } : {}) })
    return ((await res.json()) as { ticket: string }).ticket
  }

  it('opens the log stream for an admin, refuses a member, and ends when the credential is revoked', async () => {
    const member = await createUser(gw)
    expect((await gw.app.request(`/api/logs/events?ticket=${await ticketFor(member.token)}`)).status).toBe(403)
    const admin = await createUser(gw, { role: 'admin' })
    const res = await gw.app.request(`/api/logs/events?ticket=${await ticketFor(admin.token)}`)
    expect(res.status).toBe(200)
    const reader = res.body!.getReader()
    let ended = false
    const drained = (async () => {
      for (;;) if ((await reader.read()).done) break
      ended = true
    })()
    // The stream re-checks the credential the ticket was bought with, not the (spent) ticket.
    await gw.request(`/api/admin/users/${admin.id}`, { method: 'PATCH', json: { role: 'member' } })
    await waitFor(() => ended, 5_000, 'the demoted admin\'s log stream to end')
    await drained
  })
})

/**
 * Issue 19, defect 2: a ticket is checked on use against its user and the token it was bought
 * with, not only dropped when this instance hears of a revocation.
 */
describe('a ticket re-checks its minting token and user when spent', async () => {
  const clock = manualClock()
  const gw = await testGateway({ runtime: { name: 'node', clock } })
  afterAll(() => gw.close())
  const buy = async (token: string) => {
    const res = await gw.request('/api/auth/stream-ticket', { method: 'POST', token, json: { path: '/api/chat/events' } })
    expect(res.status).toBe(200)
    return ((await res.json()) as { ticket: string }).ticket
  }
  const spend = (ticket: string) => gw.app.request(`/api/chat/events?ticket=${ticket}`)

  it('opens nothing once the token that bought it has expired, though the ticket has not', async () => {
    const member = await createUser(gw)
    const short = (await (await gw.request('/api/tokens', { method: 'POST', token: member.token, json: { name: 's', expires_at: new Date(clock.now() + 30_000).toISOString() } })).json()) as { token: string }
    const ticket = await buy(short.token)
    clock.advance(31_000)
    const res = await spend(ticket)
    expect(res.status).toBe(401)
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthorized')
  })

  it('opens nothing for a user suspended behind this instance\'s back (another instance, the database)', async () => {
    const member = await createUser(gw)
    const ticket = await buy(member.token)
    // What another instance's suspension looks like here: the row changed, the principal cache
    // was told by hash only (no user id, no token id reaches the ticket store).
    await gw.store!.db.updateTable('users').set({ status: 'suspended' }).where('id', '=', member.id).execute()
    const [row] = await gw.store!.db.selectFrom('api_tokens').select('token_hash').where('id', '=', member.tokenId).execute()
    gw.auth.invalidate({ tokenHash: row!.token_hash })
    expect((await spend(ticket)).status).toBe(401)
  })

  it('answers 429 quota_exceeded past the unused tickets one user may hold, with Retry-After', async () => {
    const member = await createUser(gw)
    for (let i = 0; i < gw.config.limits.quotas.pendingStreamTicketsPerUser; i++) await buy(member.token)
    const over = await gw.request('/api/auth/stream-ticket', { method: 'POST', token: member.token, json: { path: '/api/chat/events' } })
    expect(over.status).toBe(429)
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(((await over.json()) as { error: { code: string; details: unknown } }).error).toMatchObject({
      code: 'quota_exceeded',
      details: { quota: 'unused stream tickets', limit: gw.config.limits.quotas.pendingStreamTicketsPerUser },
    })
    // Another user is not affected.
    const other = await createUser(gw)
    await buy(other.token)
  })
})
