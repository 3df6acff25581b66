import net from 'node:net'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { waitFor } from '../support/gateway'
import { SseClient } from '../support/sse-client'
import { WsClient } from '../support/ws-client'
import { systemContract } from './system-contract'
import { ROOT, type RuntimeTarget } from './targets'

type Json = Record<string, any>

/**
 * The HTTP and streaming contract every runtime must keep, run against a live server (crossws's
 * `wsTests` / h3's `describeMatrix` idea): the Node adapter in-process, Bun and Deno as child
 * processes. Each runtime's file calls this with its own starter.
 */
export function runtimeContract(name: string, start: () => Promise<RuntimeTarget>): void {
  describe(`runtime contract: ${name}`, () => {
    let t: RuntimeTarget
    beforeAll(async () => {
      t = await start()
    })
    afterAll(() => t?.stop())

    const get = (path: string, headers: Record<string, string> = {}) => fetch(`${t.url}${path}`, { headers })
    const post = (path: string, body: unknown, headers: Record<string, string> = t.auth) =>
      fetch(`${t.url}${path}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) })
    const status = async (): Promise<Json> => (await (await get('/api/gateway/status', t.auth)).json()) as Json
    const errorCode = async (res: Response): Promise<string> => ((await res.json()) as Json).error?.code

    it('answers health without a token, with the security headers', async () => {
      const res = await get('/api/health')
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toMatch(/^application\/json/)
      expect(res.headers.get('x-content-type-options')).toBe('nosniff')
      expect(await res.json()).toEqual({ status: 'healthy', channel: 'gateway' })
    })

    it('keeps the auth matrix: header required, query token only on stream routes, the error envelope', async () => {
      const none = await get('/api/auth/whoami')
      expect(none.status).toBe(401)
      expect(none.headers.get('www-authenticate')).toBe('Bearer')
      expect(await none.json()).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } })
      expect((await get('/api/auth/whoami', { authorization: 'Bearer wrong-token' })).status).toBe(401)
      expect((await get('/api/auth/whoami', { authorization: `Basic ${t.token}` })).status).toBe(401)
      const me = await get('/api/auth/whoami', { authorization: `bearer ${t.token}` })
      expect(me.status).toBe(200)
      expect(await me.json()).toMatchObject({ user_id: 'owner', role: 'admin' })
      expect((await get(`/api/auth/whoami?token=${t.token}`)).status).toBe(401)
      expect((await post(`/api/chat/send?token=${t.token}`, { content: 'x' }, {})).status).toBe(401)
      const sse = await SseClient.open(`${t.url}/api/chat/events?token=${encodeURIComponent(t.token)}`)
      expect(sse.status).toBe(200)
      sse.close()
      const rescued = await SseClient.open(`${t.url}/api/chat/events?token=${t.token}`, { headers: { authorization: 'Bearer wrong' } })
      expect(rescued.status).toBe(401)
    })

    it('renders bad input and unknown routes as the error envelope, never a 500', async () => {
      const bad = await post('/api/chat/send', '{not json')
      expect(bad.status).toBe(400)
      expect(await errorCode(bad)).toBeTruthy()
      const missing = await get('/api/nope', t.auth)
      expect(missing.status).toBe(404)
      expect(await errorCode(missing)).toBe('not_found')
      const big = await post('/api/chat/send', { content: 'x'.repeat(10 * 1024 * 1024 + 1) })
      expect(big.status).toBe(413)
      expect(big.headers.get('x-content-type-options')).toBe('nosniff')
    })

    it('refuses a chunked body over the limit with 413', async () => {
      const { port } = new URL(t.url)
      const head = ['POST /api/chat/send HTTP/1.1', 'Host: 127.0.0.1', `Authorization: Bearer ${t.token}`, 'Content-Type: application/json', 'Transfer-Encoding: chunked', 'Connection: close', '', ''].join('\r\n')
      const reply = await rawRequest(Number(port), head, (socket) => {
        const piece = 'y'.repeat(1024 * 1024)
        for (let i = 0; i < 11; i++) socket.write(`${piece.length.toString(16)}\r\n${piece}\r\n`)
        socket.write('0\r\n\r\n')
      })
      expect(reply.split('\r\n')[0]).toMatch(/^HTTP\/1.1 413/)
    })

    it('streams a chat turn over SSE and replays what was missed after Last-Event-ID', async () => {
      const first = await SseClient.open(`${t.url}/api/chat/events`, { headers: t.auth })
      expect(first.status).toBe(200)
      expect(first.headers.get('content-type')).toMatch(/^text\/event-stream/)
      expect(first.headers.get('cache-control')).toContain('no-cache')
      const sent = await post('/api/chat/send', { content: 'one' })
      expect(sent.status).toBe(202)
      const { thread_id } = (await sent.json()) as Json
      const r1 = await first.next((e) => e.event === 'response')
      expect(r1.json).toEqual({ type: 'response', content: 'echo: one', thread_id })
      expect(first.ofType('stream_chunk').map((e) => e.json.content)).toEqual(['echo: ', 'one'])
      const ids = first.events.map((e) => Number(e.id))
      expect(ids).toEqual([...ids].sort((a, b) => a - b))
      first.close()
      await waitFor(async () => (await status()).sse_connections === 0, 5_000, 'the closed stream to be released')

      await post('/api/chat/send', { content: 'two', thread_id })
      const second = await SseClient.open(`${t.url}/api/chat/events`, { headers: { ...t.auth, 'last-event-id': r1.id! } })
      const r2 = await second.next((e) => e.event === 'response')
      expect(r2.json).toEqual({ type: 'response', content: 'echo: two', thread_id })
      expect(second.ofType('response')).toHaveLength(1)
      expect(second.ofType('stream_chunk').map((e) => e.json.content)).toEqual(['echo: ', 'two'])
      expect(Number(second.events[0]!.id)).toBeGreaterThan(Number(r1.id))
      second.close()
    })

    it('speaks the WebSocket protocol: envelopes, ping/pong, acks, errors, resume', async () => {
      const ws = await WsClient.connect(`${t.wsUrl}/api/chat/ws`, { headers: t.auth, origin: t.origin })
      ws.send({ type: 'ping' })
      expect(await ws.next((f) => f.type === 'pong')).toEqual({ type: 'pong' })
      ws.send({ type: 'ping', id: 'p1' })
      expect(await ws.next((f) => f.type === 'pong' && f.id === 'p1')).toEqual({ type: 'pong', id: 'p1' })
      ws.send('not json')
      expect((await ws.next((f) => f.type === 'error')).message).toMatch(/^Invalid message/)
      ws.send({ type: 'message', content: 'via ws', id: 'c1' })
      const ack = await ws.next((f) => f.type === 'ack')
      expect(ack).toMatchObject({ id: 'c1', result: { status: 'accepted' } })
      const threadId = (ack.result as Json).thread_id
      const event = await ws.next((f) => f.type === 'event' && f.event_type === 'response')
      expect(event).toEqual({ type: 'event', event_type: 'response', data: { type: 'response', content: 'echo: via ws', thread_id: threadId }, id: expect.any(String) })
      expect((await status()).ws_connections).toBe(1)
      ws.close()
      await waitFor(async () => (await status()).ws_connections === 0, 5_000, 'the closed socket to be released')

      await post('/api/chat/send', { content: 'while away', thread_id: threadId })
      const resumed = await WsClient.connect(`${t.wsUrl}/api/chat/ws?token=${t.token}&last_event_id=${event.id}`, { origin: t.origin })
      const replayed = await resumed.next((f) => f.type === 'event' && f.event_type === 'response')
      expect((replayed.data as Json).content).toBe('echo: while away')
      resumed.close()
    })

    it('refuses WebSocket upgrades without a token or from a foreign origin, and oversized frames', async () => {
      const attempt = (path: string, headers: Record<string, string>, origin?: string) =>
        WsClient.connect(`${t.wsUrl}${path}`, { headers, origin }).then(
          (c) => (c.close(), 101),
          (e: { status?: number }) => e.status,
        )
      expect(await attempt('/api/chat/ws', {}, t.origin)).toBe(401)
      expect(await attempt('/api/chat/ws', t.auth, 'https://evil.example')).toBe(403)
      expect(await attempt('/api/chat/ws', t.auth)).toBe(403)
      const ws = await WsClient.connect(`${t.wsUrl}/api/chat/ws`, { headers: t.auth, origin: t.origin })
      ws.send('x'.repeat(1024 * 1024 + 10))
      expect(await ws.waitClose()).toBe(1009)
    })

    it("keeps users, tokens, settings and secrets in the runtime's database, and each user's events to that user", async () => {
      const created = await post('/api/admin/users', { display_name: 'Runtime Member' })
      expect(created.status).toBe(201)
      const member = (await created.json()) as Json
      const memberAuth = { authorization: `Bearer ${member.token}` }
      expect(await (await get('/api/auth/whoami', memberAuth)).json()).toMatchObject({ user_id: member.id, role: 'member' })
      expect((await get('/api/admin/users', memberAuth)).status).toBe(403)

      const put = await fetch(`${t.url}/api/settings/theme`, { method: 'PUT', headers: { ...memberAuth, 'content-type': 'application/json' }, body: JSON.stringify({ value: { dark: true, size: 14 } }) })
      expect(put.status).toBe(204)
      expect(await (await get('/api/settings/theme', memberAuth)).json()).toMatchObject({ key: 'theme', value: { dark: true, size: 14 } })
      expect((await get('/api/settings/theme', t.auth)).status).toBe(404)

      const secret = await fetch(`${t.url}/api/admin/users/${member.id}/secrets/api_key`, { method: 'PUT', headers: { ...t.auth, 'content-type': 'application/json' }, body: JSON.stringify({ value: 'sk-secret-value' }) })
      expect(secret.status).toBe(201)
      const listed = await (await get(`/api/admin/users/${member.id}/secrets`, t.auth)).text()
      expect(listed).toContain('api_key')
      expect(listed).not.toContain('sk-secret-value')

      const minted = (await (await post('/api/tokens', { name: 'laptop' }, memberAuth)).json()) as Json
      const laptop = { authorization: `Bearer ${minted.token}` }
      expect((await get('/api/auth/whoami', laptop)).status).toBe(200)
      expect((await fetch(`${t.url}/api/tokens/${minted.id}`, { method: 'DELETE', headers: memberAuth })).status).toBe(200)
      expect((await get('/api/auth/whoami', laptop)).status).toBe(401)

      const mine = await SseClient.open(`${t.url}/api/chat/events`, { headers: memberAuth })
      const owners = await SseClient.open(`${t.url}/api/chat/events`, { headers: t.auth })
      expect((await post('/api/chat/send', { content: 'only mine' }, memberAuth)).status).toBe(202)
      expect((await mine.next((e) => e.event === 'response')).json.content).toBe('echo: only mine')
      expect((await post('/api/chat/send', { content: 'owner turn' })).status).toBe(202)
      await owners.next((e) => e.event === 'response')
      expect(owners.events.map((e) => e.json.content)).not.toContain('echo: only mine')
      expect(mine.events.map((e) => e.json.content)).not.toContain('echo: owner turn')
      mine.close()
      owners.close()
    })

    it('serves the web app from the build, byte for byte', async () => {
      const page = await get('/')
      expect(page.status).toBe(200)
      expect(page.headers.get('content-type')).toMatch(/^text\/html/)
      expect(page.headers.get('content-security-policy')).toContain("default-src 'self'")
      expect(await page.text()).toContain('app.js')
      const script = await get('/app.js')
      expect(script.headers.get('content-type')).toMatch(/^application\/javascript/)
      expect((await script.text()).length).toBeGreaterThan(100)
      const icon = await get('/favicon.ico')
      expect(icon.headers.get('content-type')).toBe('image/x-icon')
      expect(Buffer.from(await icon.arrayBuffer()).equals(readFileSync(join(ROOT, 'assets/favicon.ico')))).toBe(true)
    })

    systemContract(() => t)
  })
}

function rawRequest(port: number, head: string, writeBody: (socket: net.Socket) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(head)
      writeBody(socket)
    })
    let data = ''
    socket.on('data', (d) => {
      data += d.toString()
      // Some servers keep the connection open after refusing the body: the head is enough.
      if (data.includes('\r\n\r\n')) {
        socket.destroy()
        resolve(data)
      }
    })
    socket.on('error', () => resolve(data))
    socket.on('close', () => resolve(data))
    setTimeout(() => reject(new Error('raw request timed out')), 10_000)
  })
}
