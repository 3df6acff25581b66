import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { appEvent } from '../../src/protocol/events'
import { PostgresEventBus } from '../../src/bus/postgres-event-bus'
import { echoAgent, startTestServer, TEST_TOKEN, type TestServer, waitFor } from '../support/gateway'
import { SseClient } from '../support/sse-client'
import { createTestSchema, dropTestSchema, openSchemaStore, POSTGRES_URL } from '../support/store'
import { WsClient } from '../support/ws-client'

/**
 * Two gateway instances on one PostgreSQL database, as behind a load balancer: a client connected
 * to one sees what happens on the other.
 */
describe.skipIf(!POSTGRES_URL)('two gateway instances on one PostgreSQL database', () => {
  let schema: string
  let a: TestServer
  let b: TestServer

  beforeAll(async () => {
    schema = await createTestSchema()
    // Opened together, as after a deploy: the migrations run once under the lock.
    const [storeA, storeB] = await Promise.all([openSchemaStore(schema), openSchemaStore(schema)])
    ;[a, b] = await Promise.all([startTestServer({ store: storeA }), startTestServer({ store: storeB })])
    a.gateway.withAgent(echoAgent(a.gateway))
  })
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()])
    await dropTestSchema(schema)
  })

  const post = (t: TestServer, path: string, body: unknown) =>
    fetch(`${t.url}${path}`, { method: 'POST', headers: { ...t.auth, 'content-type': 'application/json' }, body: JSON.stringify(body) })

  it('picks the PostgreSQL bus on both', () => {
    expect(a.gateway.hub.bus).toBeInstanceOf(PostgresEventBus)
    expect(b.gateway.hub.bus).toBeInstanceOf(PostgresEventBus)
  })

  it('delivers a turn run on A to an SSE client and a WS client connected to B, with the same increasing ids', async () => {
    const sse = await SseClient.open(`${b.url}/api/chat/events`, { headers: b.auth })
    const ws = await WsClient.connect(`${b.wsUrl}/api/chat/ws`, { headers: b.auth, origin: b.origin })
    await waitFor(() => b.gateway.hub.subscriberCount('owner') === 2)
    const sent = await post(a, '/api/chat/send', { content: 'across' })
    expect(sent.status).toBe(202)
    const { thread_id } = (await sent.json()) as { thread_id: string }

    const response = await sse.next((e) => e.event === 'response')
    expect(response.json).toEqual({ type: 'response', content: 'echo: across', thread_id })
    expect(sse.ofType('stream_chunk').map((e) => e.json.content)).toEqual(['echo: ', 'across'])
    const wsResponse = await ws.next((f) => f.type === 'event' && f.event_type === 'response')
    expect(wsResponse.data).toEqual(response.json)

    const sseIds = sse.events.map((e) => Number(e.id))
    expect(sseIds).toEqual([...sseIds].sort((x, y) => x - y))
    expect(new Set(sseIds).size).toBe(sseIds.length)
    const wsIds = ws.frames.filter((f) => f.type === 'event').map((f) => Number(f.id))
    expect(wsIds).toEqual(sseIds)

    // Events from both instances interleave into one increasing sequence.
    await b.gateway.hub.publish('owner', appEvent('status', { message: 'from B' }))
    await a.gateway.hub.publish('owner', appEvent('status', { message: 'from A' }))
    await sse.next((e) => e.json.message === 'from A')
    const all = sse.events.map((e) => Number(e.id))
    expect(all).toEqual([...all].sort((x, y) => x - y))
    expect(sse.ofType('status').map((e) => e.json.message)).toEqual(['from B', 'from A'])
    sse.close()
    ws.close()
    await waitFor(() => b.gateway.hub.subscriberCount('owner') === 0)
  })

  it("resumes on B from a Last-Event-ID B's client got from A, replaying what A produced meanwhile", async () => {
    const onA = await SseClient.open(`${a.url}/api/chat/events`, { headers: a.auth })
    const sent = (await (await post(a, '/api/chat/send', { content: 'one' })).json()) as { thread_id: string }
    const first = await onA.next((e) => e.event === 'response')
    onA.close()
    await post(a, '/api/chat/send', { content: 'two', thread_id: sent.thread_id })
    await waitFor(() => a.gateway.hub.bus.lastId() > Number(first.id) + 2)
    const onB = await SseClient.open(`${b.url}/api/chat/events`, { headers: { ...b.auth, 'last-event-id': first.id! } })
    const second = await onB.next((e) => e.event === 'response')
    expect(second.json.content).toBe('echo: two')
    expect(onB.ofType('stream_chunk').map((e) => e.json.content)).toEqual(['echo: ', 'two'])
    expect(onB.ofType('resync')).toEqual([])
    onB.close()
  })

  it("revoking a member's token on A closes its streams on B within a second, and B refuses the token at once", async () => {
    const api = async (t: TestServer, path: string, init: { method?: string; token?: string; body?: unknown } = {}) => {
      const res = await fetch(`${t.url}${path}`, {
        method: init.method ?? 'GET',
        headers: { authorization: `Bearer ${init.token ?? TEST_TOKEN}`, ...(init.body ? { 'content-type': 'application/json' } : {}) },
        ...(init.body ? { body: JSON.stringify(init.body) } : {}),
      })
      return { status: res.status, body: (await res.json().catch(() => null)) as Record<string, string> }
    }
    const member = (await api(a, '/api/admin/users', { method: 'POST', body: { display_name: 'Roamer' } })).body
    // B has seen (and cached) the token before it is revoked on A.
    expect((await api(b, '/api/auth/whoami', { token: member.token })).status).toBe(200)
    const sse = await SseClient.open(`${b.url}/api/chat/events`, { headers: { authorization: `Bearer ${member.token}` } })
    const ws = await WsClient.connect(`${b.wsUrl}/api/chat/ws?token=${member.token}`, { origin: b.origin })
    await waitFor(() => b.gateway.hub.subscriberCount(member.id!) === 2)

    const started = Date.now()
    expect((await api(a, `/api/tokens/${member.token_id}`, { method: 'DELETE', token: member.token })).status).toBe(200)
    await Promise.all([sse.waitEnd(1_000), ws.waitClose(1_000)])
    expect(Date.now() - started).toBeLessThan(1_000)
    expect((await api(b, '/api/auth/whoami', { token: member.token })).status).toBe(401)
  })

  it('closes the streams on B within a second of a disconnect control published on A', async () => {
    const sse = await SseClient.open(`${b.url}/api/chat/events`, { headers: b.auth })
    const ws = await WsClient.connect(`${b.wsUrl}/api/chat/ws`, { headers: b.auth, origin: b.origin })
    await waitFor(() => b.gateway.hub.subscriberCount('owner') === 2)
    const started = Date.now()
    await a.gateway.hub.bus.publishControl({ kind: 'disconnect', userId: 'owner' })
    await Promise.all([sse.waitEnd(1_000), ws.waitClose(1_000)])
    expect(Date.now() - started).toBeLessThan(1_000)
    expect(b.gateway.hub.subscriberCount('owner')).toBe(0)
  })
})
