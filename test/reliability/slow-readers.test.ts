import net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { startTestServer, TEST_TOKEN, type TestServer, waitFor } from '../support/gateway'
import { SseClient } from '../support/sse-client'
import { WsClient } from '../support/ws-client'

const BUFFER = 256 * 1024
const EVENTS = 2_000
const PAYLOAD = 'p'.repeat(8 * 1024)

/**
 * security-bar.md R4 without latency numbers (those are the bench's): one SSE and one WebSocket
 * reader stop reading while events go out at about 1,000/s. The fast readers get every event in
 * order; what the server holds for the stalled ones stays under their buffer cap (they are told
 * to resync instead of being queued without end), and the broadcast never waits for them.
 */
describe('slow readers', () => {
  let t: TestServer
  const serverSockets = new Set<net.Socket>()
  beforeAll(async () => {
    t = await startTestServer({ config: { limits: { subscriberBufferBytes: BUFFER, maxConnectionsPerUser: 50 } } })
    t.server.server.on('connection', (s: net.Socket) => {
      serverSockets.add(s)
      s.on('close', () => serverSockets.delete(s))
    })
  })
  afterAll(() => t.close())

  it('fast readers get every event; stalled ones are capped, not buffered without end', async () => {
    const fastSse = await SseClient.open(`${t.url}/api/chat/events`, { headers: t.auth })
    const fastWs = await WsClient.connect(`${t.wsUrl}/api/chat/ws`, { headers: t.auth, origin: t.origin })
    const slowSse = net.connect(t.server.port, '127.0.0.1', () => slowSse.write(`GET /api/chat/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TEST_TOKEN}\r\n\r\n`))
    slowSse.on('error', () => undefined)
    slowSse.pause()
    const slowWs = new WebSocket(`${t.wsUrl}/api/chat/ws`, { headers: t.auth, origin: t.origin })
    slowWs.on('error', () => undefined)
    await new Promise((resolve) => slowWs.once('open', resolve))
    ;(slowWs as unknown as { _socket: net.Socket })._socket.pause()
    await waitFor(() => t.gateway.hub.counts().total === 4, 3_000, 'four streams')

    // The server's end of each stalled connection (the fast ones hold a little too, read later in this same process).
    const slowPorts = new Set([slowSse.localPort, (slowWs as unknown as { _socket: net.Socket })._socket.localPort])
    const stalled = () => [...serverSockets].filter((s) => slowPorts.has(s.remotePort))
    expect(stalled()).toHaveLength(2)
    let peakHeld = 0
    const to = { userId: t.gateway.config.userId, threadId: '00000000-0000-4000-8000-000000000001' }
    for (let i = 0; i < EVENTS; i += 10) {
      // Ten at a time every 10 ms: about 1,000 events/s. Publishing must not wait for anyone.
      const batch = Array.from({ length: 10 }, (_, k) => t.gateway.channel.sendStatus(to, { type: 'stream_chunk', content: `${i + k}:${PAYLOAD}`, thread_id: to.threadId } as never))
      await Promise.all(batch)
      let held = 0
      for (const s of stalled()) held += s.writableLength
      peakHeld = Math.max(peakHeld, held)
      await new Promise((r) => setTimeout(r, 10))
    }

    const seq = (content: unknown) => Number(String(content).split(':', 1)[0])
    await waitFor(() => fastSse.ofType('stream_chunk').length >= EVENTS, 30_000, 'fast SSE reader to get every event')
    await waitFor(() => fastWs.frames.filter((f) => f.event_type === 'stream_chunk').length >= EVENTS, 30_000, 'fast WS reader to get every event')
    expect(fastSse.ofType('stream_chunk').map((e) => seq(e.json.content))).toEqual(Array.from({ length: EVENTS }, (_, i) => i))
    expect(fastWs.frames.filter((f) => f.event_type === 'stream_chunk').map((f) => seq((f.data as { content: string }).content))).toEqual(Array.from({ length: EVENTS }, (_, i) => i))
    expect(fastSse.ofType('resync')).toHaveLength(0)

    // Two stalled readers, each held to its cap plus the event that crossed it: 2,000 events x 8 KB
    // would be 16 MB each without the cap. (RSS is no measure here: the fast readers in this same
    // process keep every event they got.)
    expect(peakHeld).toBeLessThan(2 * (BUFFER + 2 * PAYLOAD.length + 1024) + 64 * 1024)

    // Once a stalled reader reads again, it is told to resync rather than handed a gap silently.
    let slowText = ''
    slowSse.on('data', (d) => (slowText += d.toString('latin1')))
    slowSse.resume()
    await waitFor(() => slowText.includes('event: resync') || slowSse.destroyed, 10_000, 'the stalled SSE reader to be told to resync')

    fastSse.close()
    fastWs.close()
    slowSse.destroy()
    slowWs.terminate()
    await waitFor(() => t.gateway.hub.counts().total === 0, 5_000, 'all slots released')
  }, 60_000)
})
