import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SlidingWindowLimiter } from '../../src/lib/sliding-window-limiter'
import { startTestServer, type TestServer } from '../support/gateway'
import { SseClient } from '../support/sse-client'
import { WsClient } from '../support/ws-client'

/**
 * security-bar.md 32 and R11, beyond test/e2e/node-server.test.ts (REST + WS share one budget,
 * 429 with Retry-After): spoofed client-address headers do not reset it, the refused message is
 * not stored, another user keeps their own budget, and the limiter's memory stays capped.
 */
describe('chat rate limits', () => {
  let t: TestServer
  const received: string[] = []
  beforeAll(async () => {
    t = await startTestServer({ config: { limits: { chatMessagesPerWindow: 4 } } })
    t.gateway.withAgent({ onMessage: (m: { content: string }) => void received.push(m.content) })
  })
  afterAll(() => t.close())

  const send = (content: string, headers: Record<string, string> = t.auth) =>
    fetch(`${t.url}/api/chat/send`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ content }) })

  it('is per user: proxy headers do not reset it, refused messages go nowhere, others keep their budget', async () => {
    for (const content of ['one', 'two']) expect((await send(content)).status).toBe(202)
    const ws = await WsClient.connect(`${t.wsUrl}/api/chat/ws`, { headers: t.auth, origin: t.origin })
    ws.send({ type: 'message', content: 'three', id: 'm3' })
    expect((await ws.next((f) => f.id === 'm3')).type).toBe('ack')
    expect((await send('four')).status).toBe(202)

    const spoofs: Array<Record<string, string>> = [{ 'x-forwarded-for': '203.0.113.7' }, { 'x-real-ip': '198.51.100.1' }, { forwarded: 'for=192.0.2.60' }, { 'cf-connecting-ip': '192.0.2.1' }]
    for (const spoof of spoofs) {
      const res = await send('over the limit', { ...t.auth, ...spoof })
      expect(res.status).toBe(429)
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0)
      await res.arrayBuffer()
    }
    ws.send({ type: 'message', content: 'over the limit', id: 'm5' })
    expect(await ws.next((f) => f.id === 'm5')).toMatchObject({ type: 'error', code: 'rate_limited' })
    ws.close()

    // Another user, same address, own budget.
    const created = await fetch(`${t.url}/api/admin/users`, { method: 'POST', headers: { ...t.auth, 'content-type': 'application/json' }, body: JSON.stringify({ display_name: 'Bea' }) })
    const bea = (await created.json()) as { token: string }
    expect((await send('from bea', { authorization: `Bearer ${bea.token}` })).status).toBe(202)

    await new Promise((r) => setTimeout(r, 200))
    expect(received.sort()).toEqual(['four', 'from bea', 'one', 'three', 'two'])
    const threads = (await (await fetch(`${t.url}/api/chat/threads`, { headers: t.auth })).json()) as { threads: Array<{ id: string }> }
    for (const thread of threads.threads) {
      const history = await (await fetch(`${t.url}/api/chat/history?thread_id=${thread.id}`, { headers: t.auth })).text()
      expect(history).not.toContain('over the limit')
    }
  })

  it('forgets idle keys: 100,000 distinct users never grow the limiter past its capacity', () => {
    const limiter = new SlidingWindowLimiter(30, 60_000, Date.now, 10_000)
    let allowed = 0
    for (let i = 0; i < 100_000; i++) if (limiter.hit(`user-${i}`).ok) allowed++
    expect(allowed).toBe(100_000)
    expect(limiter.size).toBeLessThanOrEqual(10_000)
  })
})

/**
 * security-bar.md R10: clients of one user reconnecting in a loop (100 SSE clients, every 100 ms)
 * get 429 with Retry-After past the reconnect budget, before any stream is set up; the gateway
 * and other users carry on. The window sliding back open is test/core/hub.test.ts (a manual clock).
 */
describe('stream reconnect budget', () => {
  let t: TestServer
  beforeAll(async () => {
    t = await startTestServer({ config: { limits: { maxConnectionsPerUser: 200, streamOpensPerWindow: 150 } } })
  })
  afterAll(() => t.close())

  const open = async (headers: Record<string, string>) => {
    const client = await SseClient.open(`${t.url}/api/chat/events`, { headers })
    client.close()
    return client
  }

  it('answers 429 past the budget to a reconnect storm, while others connect', async () => {
    const statuses: number[] = []
    let refused: SseClient | undefined
    for (let round = 0; round < 3; round++) {
      const clients = await Promise.all(Array.from({ length: 100 }, () => open(t.auth)))
      for (const c of clients) {
        statuses.push(c.status)
        if (c.status === 429) refused ??= c
      }
      await new Promise((r) => setTimeout(r, 100))
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(150)
    expect(statuses.filter((s) => s === 429)).toHaveLength(150)
    expect(JSON.parse(refused!.body)).toMatchObject({ error: { code: 'rate_limited' } })
    expect(Number(refused!.headers.get('retry-after'))).toBeGreaterThan(0)

    // Another user's stream and the rest of the API are unaffected.
    const created = await fetch(`${t.url}/api/admin/users`, { method: 'POST', headers: { ...t.auth, 'content-type': 'application/json' }, body: JSON.stringify({ display_name: 'Cal' }) })
    const cal = (await created.json()) as { token: string }
    expect((await open({ authorization: `Bearer ${cal.token}` })).status).toBe(200)
    expect((await fetch(`${t.url}/api/health`)).status).toBe(200)
  })
})
