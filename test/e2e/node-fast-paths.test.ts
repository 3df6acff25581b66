import net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, TEST_TOKEN, type TestServer, waitFor } from '../support/gateway'
import { SseClient } from '../support/sse-client'
import { WsClient } from '../support/ws-client'

/**
 * The Node fast paths: security and CORS headers set on the Node response under the app's own,
 * SSE written straight to the response (headers complete, nothing added after), WebSocket
 * frames built once per event and written corked per tick.
 */
describe('Node fast paths', () => {
  let t: TestServer
  beforeAll(async () => {
    t = await startTestServer({ store: undefined, config: { limits: { subscriberBufferBytes: 64 * 1024 } } })
    // Added before the first request builds the router: a route that chooses its own policy.
    t.gateway.app.get('/api/sandboxed', (c) => c.body('<p>preview</p>', 200, { 'Content-Type': 'text/html', 'Content-Security-Policy': 'sandbox' }))
    t.gateway.app.get('/api/varied', (c) => c.body('x', 200, { 'Content-Type': 'text/plain', Vary: 'Accept-Encoding' }))
  })
  afterAll(() => t.close())

  it('puts the security and CORS headers on plain responses once, under a route\'s own choice', async () => {
    const health = await fetch(`${t.url}/api/health`, { headers: { origin: t.origin, 'x-forwarded-proto': 'https' } })
    expect(health.status).toBe(200)
    expect(health.headers.get('content-security-policy')).toContain("default-src 'self'")
    expect(health.headers.get('x-frame-options')).toBe('DENY')
    expect(health.headers.get('strict-transport-security')).toContain('max-age=')
    expect(health.headers.get('access-control-allow-origin')).toBe(t.origin)
    expect(health.headers.get('vary')).toBe('Origin')
    expect(health.headers.get('content-type')).toBe('application/json')
    const plain = await fetch(`${t.url}/api/health`)
    expect(plain.headers.get('strict-transport-security')).toBeNull()
    expect(plain.headers.get('access-control-allow-origin')).toBeNull()
    const sandboxed = await fetch(`${t.url}/api/sandboxed`, { headers: t.auth })
    expect(sandboxed.headers.get('content-security-policy')).toBe('sandbox')
    expect(sandboxed.headers.get('x-content-type-options')).toBe('nosniff')
    // A route's own Vary keeps the Origin the CORS headers depend on.
    const varied = await fetch(`${t.url}/api/varied`, { headers: t.auth })
    expect(varied.headers.get('vary')).toBe('Origin, Accept-Encoding')
    const missing = await fetch(`${t.url}/api/nope`, { headers: t.auth })
    expect(missing.status).toBe(404)
    expect(missing.headers.get('x-content-type-options')).toBe('nosniff')
  })

  const chunk = (i: number, pad = '') => ({ type: 'stream_chunk' as const, content: `${i}${pad}` })

  it('writes complete SSE headers itself, CORS for allowed origins included, the same on every stream', async () => {
    for (let i = 0; i < 3; i++) {
      const sse = await SseClient.open(`${t.url}/api/chat/events`, { headers: { ...t.auth, origin: t.origin } })
      expect(sse.status).toBe(200)
      expect(sse.headers.get('access-control-allow-origin')).toBe(t.origin)
      expect(sse.headers.get('access-control-allow-credentials')).toBe('true')
      // Headers are built per stream, never accumulated on a shared marker response.
      expect(sse.headers.get('vary')).toBe('Origin')
      expect(sse.headers.get('content-security-policy')).toContain("default-src 'self'")
      sse.close()
    }
    const foreign = await SseClient.open(`${t.url}/api/chat/events`, { headers: { ...t.auth, origin: 'https://evil.example' } })
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull()
    foreign.close()
  })

  it('delivers a burst published in one tick, complete and in order, over SSE and WebSocket', async () => {
    const sse = await SseClient.open(`${t.url}/api/chat/events`, { headers: t.auth })
    const ws = await WsClient.connect(`${t.wsUrl}/api/chat/ws`, { headers: t.auth, origin: t.origin })
    await waitFor(() => t.gateway.hub.subscriberCount('owner') === 2, 2_000, 'both streams')
    const published = await Promise.all(Array.from({ length: 200 }, (_, i) => t.gateway.hub.publish('owner', chunk(i))))
    await sse.next((e) => e.json.content === '199')
    await ws.next((f) => (f.data as { content?: string } | undefined)?.content === '199')
    expect(sse.ofType('stream_chunk').map((e) => Number(e.id))).toEqual(published.map((e) => e.id))
    const wsEvents = ws.frames.filter((f) => f.type === 'event')
    expect(wsEvents.map((f) => Number(f.id))).toEqual(published.map((e) => e.id))
    expect(wsEvents[0]).toEqual({ type: 'event', event_type: 'stream_chunk', data: chunk(0), id: String(published[0]!.id) })
    sse.close()
    ws.socket.close()
    await waitFor(() => t.gateway.hub.subscriberCount('owner') === 0, 2_000, 'streams closed')
  })

  it('tells a WebSocket reader that stopped reading to resync once it reads again', async () => {
    // A raw socket that completes the upgrade and then stops reading, like a stalled browser tab.
    const socket = net.connect(t.server.port, '127.0.0.1')
    await new Promise<void>((resolve) => socket.once('connect', resolve))
    socket.write(
      `GET /api/chat/ws HTTP/1.1\r\nHost: 127.0.0.1:${t.server.port}\r\nOrigin: ${t.origin}\r\nAuthorization: Bearer ${TEST_TOKEN}\r\n` +
        'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    )
    const received: Buffer[] = []
    socket.on('data', (d: Buffer) => received.push(d))
    await waitFor(() => Buffer.concat(received).includes('101 Switching Protocols'), 2_000, 'upgrade')
    await waitFor(() => t.gateway.hub.subscriberCount('owner') === 1, 2_000, 'subscriber')
    socket.pause()
    // Far more than the kernel's socket buffers and the 64 KB cap hold.
    const pad = 'x'.repeat(4096)
    for (let i = 0; i < 4000; i++) await t.gateway.hub.publish('owner', chunk(i, pad))
    expect(t.gateway.hub.subscriberCount('owner')).toBe(1)
    socket.resume()
    await waitFor(() => Buffer.concat(received).includes('"event_type":"resync"'), 10_000, 'resync frame')
    const text = Buffer.concat(received).toString('latin1')
    expect(text).toMatch(/"event_type":"resync","data":\{"type":"resync","reason":"overflow"/)
    socket.destroy()
    await waitFor(() => t.gateway.hub.subscriberCount('owner') === 0, 2_000, 'closed')
  })
})
