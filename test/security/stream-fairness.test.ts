import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer, waitFor } from '../support/gateway'
import { SseClient } from '../support/sse-client'
import { WsClient } from '../support/ws-client'

/**
 * Issue 19, defect 4, as found: five members at their 20-stream cap filled the global 100 and
 * the owner got 503 on SSE and WS. With the default limits (100 in all, 20 per user, 10 kept for
 * admins), on real sockets: the owner gets in, and a member arriving late gets a share by taking
 * the oldest stream of the heaviest member, which ends with a final `evicted` event.
 */
describe('no group of members can lock the owner (or another member) out of live streams', () => {
  let t: TestServer
  const clients: SseClient[] = []
  beforeAll(async () => {
    t = await startTestServer()
  })
  afterAll(async () => {
    for (const c of clients) c.close()
    await t.close()
  })
  const member = async () => {
    const res = await fetch(`${t.url}/api/admin/users`, { method: 'POST', headers: { ...t.auth, 'content-type': 'application/json' }, body: JSON.stringify({ display_name: 'Greedy' }) })
    return ((await res.json()) as { token: string }).token
  }
  const sse = async (token: string) => {
    const client = await SseClient.open(`${t.url}/api/chat/events`, { headers: { authorization: `Bearer ${token}` } })
    clients.push(client)
    return client
  }

  it('five members at their cap leave the owner SSE and WebSocket; a sixth member still gets a stream', async () => {
    const tokens = await Promise.all([1, 2, 3, 4, 5].map(() => member()))
    const byMember: SseClient[][] = []
    for (const token of tokens) {
      const mine: SseClient[] = []
      for (let i = 0; i < 20; i++) mine.push(await sse(token))
      byMember.push(mine)
    }
    // Members together stop at 90: the last member's later opens took the oldest of the heaviest.
    await waitFor(() => t.gateway.hub.counts().total === 90, 3_000, 'the member pool to settle')
    const evicted = byMember.flat().filter((c) => c.events.some((e) => e.event === 'evicted'))
    expect(evicted.length).toBeGreaterThan(0)
    for (const c of evicted) {
      await c.waitEnd(2_000)
      expect(c.events.at(-1)).toMatchObject({ event: 'evicted', json: { type: 'evicted', reason: 'fair_share' } })
    }

    const owner = await SseClient.open(`${t.url}/api/chat/events`, { headers: t.auth })
    clients.push(owner)
    expect(owner.status).toBe(200)
    const ws = await WsClient.connect(`${t.wsUrl}/api/chat/ws`, { headers: t.auth, origin: t.origin })
    ws.send({ type: 'ping', id: 'p' })
    await ws.next((f) => f.type === 'pong')

    const late = await sse(await member())
    expect(late.status).toBe(200)
    ws.close()
  })
})
