import net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { echoAgent, startTestServer, TEST_TOKEN, type TestServer, waitFor } from '../support/gateway'
import { SseClient } from '../support/sse-client'
import { WsClient } from '../support/ws-client'

describe('Node server end to end', () => {
  let t: TestServer
  beforeAll(async () => {
    t = await startTestServer({ config: { limits: { chatMessagesPerWindow: 5 } } })
    t.gateway.withAgent(echoAgent(t.gateway))
  })
  afterAll(() => t.close())

  const post = (path: string, body: unknown, headers: Record<string, string> = t.auth) =>
    fetch(`${t.url}${path}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) })

  it('streams a chat turn over SSE to a real reader, with ids and frames', async () => {
    const sse = await SseClient.open(`${t.url}/api/chat/events`, { headers: t.auth })
    expect(sse.status).toBe(200)
    expect(sse.headers.get('content-type')).toMatch(/^text\/event-stream/)
    expect(sse.headers.get('x-accel-buffering')).toBe('no')
    expect(sse.headers.get('cache-control')).toContain('no-cache')
    expect(sse.headers.get('x-content-type-options')).toBe('nosniff')
    const sent = await post('/api/chat/send', { content: 'hello' })
    expect(sent.status).toBe(202)
    const { thread_id, message_id, status } = (await sent.json()) as Record<string, string>
    expect(status).toBe('accepted')
    expect(message_id).toMatch(/^[0-9a-f-]{36}$/)
    const response = await sse.next((e) => e.event === 'response')
    expect(response.json).toEqual({ type: 'response', content: 'echo: hello', thread_id })
    const chunks = sse.ofType('stream_chunk')
    expect(chunks.map((e) => e.json.content)).toEqual(['echo: ', 'hello'])
    expect(chunks.every((e) => e.json.thread_id === thread_id)).toBe(true)
    const ids = sse.events.map((e) => Number(e.id))
    expect(ids).toEqual([...ids].sort((a, b) => a - b))
    sse.close()
  })

  it('accepts ?token= on the SSE route and refuses it elsewhere', async () => {
    const sse = await SseClient.open(`${t.url}/api/chat/events?token=${encodeURIComponent(TEST_TOKEN)}`)
    expect(sse.status).toBe(200)
    sse.close()
    const res = await fetch(`${t.url}/api/gateway/status?token=${TEST_TOKEN}`)
    expect(res.status).toBe(401)
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'")
  })

  it('replays missed events on reconnect with Last-Event-ID', async () => {
    const first = await SseClient.open(`${t.url}/api/chat/events`, { headers: t.auth })
    const sent = (await (await post('/api/chat/send', { content: 'one' })).json()) as { thread_id: string }
    const r1 = await first.next((e) => e.event === 'response')
    first.close()
    await waitFor(() => t.gateway.hub.subscriberCount('owner') === 0, 2_000, 'disconnect')
    await post('/api/chat/send', { content: 'two', thread_id: sent.thread_id })
    const second = await SseClient.open(`${t.url}/api/chat/events`, { headers: { ...t.auth, 'last-event-id': r1.id! } })
    const r2 = await second.next((e) => e.event === 'response')
    expect(r2.json.content).toBe('echo: two')
    expect(second.events.filter((e) => e.event === 'response')).toHaveLength(1)
    expect(second.ofType('stream_chunk').map((e) => e.json.content)).toEqual(['echo: ', 'two'])
    second.close()
  })

  it('carries the same events over WebSocket, with ping/pong and errors for bad frames', async () => {
    const ws = await WsClient.connect(`${t.wsUrl}/api/chat/ws`, { headers: t.auth, origin: t.origin })
    ws.send({ type: 'ping' })
    expect(await ws.next((f) => f.type === 'pong')).toEqual({ type: 'pong' })
    ws.send('not json')
    expect((await ws.next((f) => f.type === 'error')).message).toMatch(/^Invalid message/)
    ws.send({ type: 'teleport' })
    await waitFor(() => ws.frames.filter((f) => f.type === 'error').length === 2)
    ws.send({ type: 'message', content: 'via ws', id: 'c1' })
    const ack = await ws.next((f) => f.type === 'ack')
    expect(ack.id).toBe('c1')
    const event = await ws.next((f) => f.type === 'event' && f.event_type === 'response')
    expect(event.data).toMatchObject({ type: 'response', content: 'echo: via ws', thread_id: (ack.result as { thread_id: string }).thread_id })
    expect(ws.closeCode).toBeUndefined()
    const status = (await (await fetch(`${t.url}/api/gateway/status`, { headers: t.auth })).json()) as Record<string, number>
    expect(status.ws_connections).toBe(1)
    expect(status.sse_connections).toBe(0)
    expect(status.total_connections).toBe(1)
    ws.close()
    await waitFor(() => t.gateway.hub.counts().ws === 0, 2_000, 'ws release')
  })

  it('closes a WebSocket that sends a frame over 1 MiB with 1009', async () => {
    const ws = await WsClient.connect(`${t.wsUrl}/api/chat/ws`, { headers: t.auth, origin: t.origin })
    ws.send('x'.repeat(1024 * 1024 + 10))
    expect(await ws.waitClose()).toBe(1009)
  })

  it('refuses WebSocket upgrades without auth or from foreign origins, before upgrading', async () => {
    const attempt = (headers: Record<string, string>, origin?: string, path = '/api/chat/ws') =>
      WsClient.connect(`${t.wsUrl}${path}`, { headers, origin }).then(
        (c) => (c.close(), 101),
        (e: { status?: number }) => e.status,
      )
    expect(await attempt({}, t.origin)).toBe(401)
    expect(await attempt({ authorization: 'Bearer nope' }, t.origin)).toBe(401)
    expect(await attempt(t.auth)).toBe(403)
    expect(await attempt(t.auth, 'https://evil.example')).toBe(403)
    expect(await attempt(t.auth, 'http://localhost.evil.com')).toBe(403)
    expect(await attempt({}, t.origin, `/api/chat/ws?token=${TEST_TOKEN}`)).toBe(101)
    expect(await attempt({}, t.origin, `/api/chat/events?token=${TEST_TOKEN}`)).not.toBe(101)
  })

  it('rate-limits chat per user across REST and WebSocket with Retry-After', async () => {
    const limited = await startTestServer({ config: { limits: { chatMessagesPerWindow: 3 } } })
    limited.gateway.withAgent({ onMessage: () => {} })
    try {
      const send = () => fetch(`${limited.url}/api/chat/send`, { method: 'POST', headers: { ...limited.auth, 'content-type': 'application/json' }, body: '{"content":"x"}' })
      expect((await send()).status).toBe(202)
      expect((await send()).status).toBe(202)
      const ws = await WsClient.connect(`${limited.wsUrl}/api/chat/ws`, { headers: limited.auth, origin: limited.origin })
      ws.send({ type: 'message', content: 'third', id: 'm3' })
      expect((await ws.next((f) => f.id === 'm3')).type).toBe('ack')
      ws.send({ type: 'message', content: 'fourth', id: 'm4' })
      expect(await ws.next((f) => f.id === 'm4')).toMatchObject({ type: 'error', code: 'rate_limited' })
      ws.close()
      const res = await send()
      expect(res.status).toBe(429)
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0)
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('rate_limited')
      expect(res.headers.get('x-frame-options')).toBe('DENY')
    } finally {
      await limited.close()
    }
  })

  it('answers 413 on a real socket for Content-Length and chunked bodies', async () => {
    const big = 'x'.repeat(10 * 1024 * 1024 + 1)
    const res = await fetch(`${t.url}/api/chat/send`, { method: 'POST', headers: { ...t.auth, 'content-type': 'application/json' }, body: big })
    expect(res.status).toBe(413)
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    const chunked = await rawRequest(t.server.port, [
      'POST /api/chat/send HTTP/1.1',
      'Host: 127.0.0.1',
      `Authorization: Bearer ${TEST_TOKEN}`,
      'Content-Type: application/json',
      'Transfer-Encoding: chunked',
      'Connection: close',
      '',
      '',
    ].join('\r\n'), (socket) => {
      const piece = 'y'.repeat(1024 * 1024)
      for (let i = 0; i < 11; i++) socket.write(`${piece.length.toString(16)}\r\n${piece}\r\n`)
      socket.write('0\r\n\r\n')
    })
    expect(chunked.split('\r\n')[0]).toMatch(/^HTTP\/1.1 413/)
  })

  it('gives the 101st stream a 503 before upgrading, and lets the next one in after a close', async () => {
    const capped = await startTestServer({ config: { limits: { maxConnectionsPerUser: 1000 } } })
    const clients: SseClient[] = []
    try {
      for (let i = 0; i < 100; i++) clients.push(await SseClient.open(`${capped.url}/api/chat/events`, { headers: capped.auth }))
      expect(clients.every((c) => c.status === 200)).toBe(true)
      const over = await SseClient.open(`${capped.url}/api/chat/events`, { headers: capped.auth })
      expect(over.status).toBe(503)
      expect(JSON.parse(over.body)).toMatchObject({ error: { code: 'too_many_connections' } })
      const refusedWs = await WsClient.connect(`${capped.wsUrl}/api/chat/ws`, { headers: capped.auth, origin: capped.origin }).then(
        () => 101,
        (e: { status?: number }) => e.status,
      )
      expect(refusedWs).toBe(503)
      clients.pop()!.close()
      await waitFor(() => capped.gateway.hub.counts().total === 99, 2_000, 'slot release')
      const next = await SseClient.open(`${capped.url}/api/chat/events`, { headers: capped.auth })
      expect(next.status).toBe(200)
      clients.push(next)
    } finally {
      for (const c of clients) c.close()
      await capped.close()
    }
  })

  it('caps streams per user so one user cannot hold all of them', async () => {
    const clients: SseClient[] = []
    try {
      for (let i = 0; i < 21; i++) clients.push(await SseClient.open(`${t.url}/api/chat/events`, { headers: t.auth }))
      expect(clients.filter((c) => c.status === 200)).toHaveLength(20)
      expect(clients.at(-1)!.status).toBe(503)
    } finally {
      for (const c of clients) c.close()
      await waitFor(() => t.gateway.hub.counts().total === 0, 2_000, 'release')
    }
  })

  it('shuts down gracefully: final shutdown event on SSE, 1001 on WebSocket', async () => {
    const s = await startTestServer()
    const sse = await SseClient.open(`${s.url}/api/chat/events`, { headers: s.auth })
    const ws = await WsClient.connect(`${s.wsUrl}/api/chat/ws`, { headers: s.auth, origin: s.origin })
    // A stalled client that never reads must not hold the shutdown.
    const stalled = net.connect(s.server.port, '127.0.0.1')
    stalled.write(`GET /api/chat/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TEST_TOKEN}\r\n\r\n`)
    stalled.pause()
    await waitFor(() => s.gateway.hub.counts().total === 3, 2_000, 'three streams')
    const started = Date.now()
    await s.server.close(3_000)
    expect(Date.now() - started).toBeLessThan(5_000)
    await sse.waitEnd()
    expect(sse.events.at(-1)?.event).toBe('shutdown')
    expect(await ws.waitClose()).toBe(1001)
    stalled.destroy()
  })
})

function rawRequest(port: number, head: string, writeBody: (socket: net.Socket) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(head)
      writeBody(socket)
    })
    let data = ''
    socket.on('data', (d) => {
      data += d.toString()
    })
    socket.on('error', () => resolve(data))
    socket.on('close', () => resolve(data))
    setTimeout(() => reject(new Error('raw request timed out')), 10_000)
  })
}
