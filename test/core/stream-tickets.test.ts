import { afterAll, describe, expect, it } from 'vitest'
import type { Principal } from '../../src/ports/principal'
import { StreamTickets } from '../../src/auth/stream-tickets'
import { SseClient } from '../support/sse-client'
import { startTestServer, TEST_TOKEN, testGateway, waitFor } from '../support/gateway'
import { WsClient } from '../support/ws-client'
import { GatewayLogging } from '../../src/logging/gateway-logging'
import { createUser } from '../support/users'

const alice: Principal = { userId: 'alice', role: 'member', tokenId: 'tok-a', displayName: null }
const bob: Principal = { userId: 'bob', role: 'member', tokenId: 'tok-b', displayName: null }
const credential = new Uint8Array(32).fill(7)

describe('StreamTickets', () => {
  it('redeems a ticket once, on its own path, before it expires', () => {
    let now = 1_000
    const tickets = new StreamTickets({ ttlMs: 60_000, now: () => now })
    const a = tickets.issue(alice, '/api/chat/events', credential)!
    expect(a.ticket).toMatch(/^[0-9a-f]{64}$/)
    expect(a.expiresAt).toBe(61_000)
    expect(tickets.redeem(a.ticket, '/api/chat/events')).toEqual({ principal: alice, credential })
    expect(tickets.redeem(a.ticket, '/api/chat/events')).toBeNull()

    const wrongPath = tickets.issue(alice, '/api/chat/events', credential)!
    expect(tickets.redeem(wrongPath.ticket, '/api/logs/events')).toBeNull()
    // Spent by the failed attempt: a guessed path does not get a second try.
    expect(tickets.redeem(wrongPath.ticket, '/api/chat/events')).toBeNull()

    const mounted = tickets.issue(alice, '/api/chat/events', credential)!
    expect(tickets.redeem(mounted.ticket, '/agent/api/chat/events')?.principal).toEqual(alice)

    const late = tickets.issue(alice, '/api/chat/events', credential)!
    now += 60_000
    expect(tickets.redeem(late.ticket, '/api/chat/events')).toBeNull()
    expect(tickets.redeem('0'.repeat(64), '/api/chat/events')).toBeNull()
    expect(tickets.redeem('short', '/api/chat/events')).toBeNull()
  })

  it('only issues tickets for stream routes', () => {
    const tickets = new StreamTickets()
    for (const path of ['/api/chat/events', '/api/chat/ws', '/api/logs/events']) {
      expect(tickets.issue(alice, path, credential), path).toBeDefined()
    }
    for (const path of ['/api/chat/send', '/api/chat/events/', '/api/memory/read', '/api/chat/eventsX', '/api/jobs/0b3e9c3e-8d1a-4f5e-9a43-1c2d3e4f5a6b/events']) {
      expect(() => tickets.issue(alice, path, credential), path).toThrow(RangeError)
    }
  })

  it('stays bounded: per user (oldest dropped) and in total (refused)', () => {
    let now = 0
    const tickets = new StreamTickets({ perUser: 3, capacity: 5, now: () => now })
    const first = tickets.issue(alice, '/api/chat/events', credential)!
    for (let i = 0; i < 5; i++) tickets.issue(alice, '/api/chat/events', credential)
    expect(tickets.size).toBe(3)
    expect(tickets.redeem(first.ticket, '/api/chat/events')).toBeNull()
    tickets.issue(bob, '/api/chat/events', credential)
    tickets.issue(bob, '/api/chat/events', credential)
    expect(tickets.issue({ ...bob, userId: 'carol' }, '/api/chat/events', credential)).toBeUndefined()
    // Expired tickets are swept before the capacity check.
    now += 61_000
    expect(tickets.issue({ ...bob, userId: 'carol' }, '/api/chat/events', credential)).toBeDefined()
    expect(tickets.size).toBe(1)
  })

  it('forgets the tickets of a revoked token or user', () => {
    const tickets = new StreamTickets()
    const a = tickets.issue(alice, '/api/chat/events', credential)!
    const b = tickets.issue(bob, '/api/chat/events', credential)!
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
