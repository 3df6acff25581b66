import net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, TEST_TOKEN, type TestServer, waitFor } from '../support/gateway'
import { rawWebSocket, wsFrame } from '../support/raw-ws'
import { WsClient } from '../support/ws-client'

const TEXT = 0x1
const BINARY = 0x2
const CLOSE = 0x8

/** security-bar.md 28-30: who may upgrade, what bad frames do, and floods of bad upgrades. */
describe('WebSocket hardening on a real socket', () => {
  let t: TestServer
  let connections: () => Promise<number>
  beforeAll(async () => {
    t = await startTestServer()
    connections = () => new Promise((resolve, reject) => t.server.server.getConnections((error, count) => (error ? reject(error) : resolve(count))))
  })
  afterAll(() => t.close())

  const good = () => ({ Authorization: `Bearer ${TEST_TOKEN}`, Origin: t.origin })

  it('refuses look-alike origins, no origin, and ?token= on routes that do not take it, before any 101', async () => {
    const refused = async (path: string, headers: Record<string, string>) =>
      rawWebSocket(t.server.port, path, headers).then(
        (ws) => (ws.socket.destroy(), 101),
        (error: { status?: number }) => error.status ?? 0,
      )
    const port = t.server.port
    for (const origin of ['http://localhost.evil.com', `http://127.0.0.1.evil.com:${port}`, 'null', 'https://evil.example', `http://127.0.0.1:${port + 1}`]) {
      expect(await refused('/api/chat/ws', { Authorization: `Bearer ${TEST_TOKEN}`, Origin: origin }), origin).toBe(403)
    }
    expect(await refused('/api/chat/ws', { Authorization: `Bearer ${TEST_TOKEN}` })).toBe(403)
    expect(await refused('/api/chat/ws', { Origin: t.origin })).toBe(401)
    expect(await refused('/api/chat/ws', { Origin: t.origin, Authorization: 'Bearer wrong' })).toBe(401)
    // The query token is for the stream routes only; an upgrade elsewhere with it is refused.
    for (const path of ['/api/chat/threads', '/api/memory/tree', '/api/chat/wsX', '/api/chat/ws/']) {
      const status = await refused(`${path}?token=${TEST_TOKEN}`, { Origin: t.origin })
      expect(status, path).not.toBe(101)
      expect([400, 401, 404]).toContain(status)
    }
    // The SSE route is not a WebSocket route, even with a valid token.
    expect(await refused(`/api/chat/events?token=${TEST_TOKEN}`, { Origin: t.origin })).not.toBe(101)
    await waitFor(() => t.gateway.hub.counts().total === 0, 2_000, 'no slot held by refused upgrades')
  })

  it('closes on invalid UTF-8 (1007) and on unmasked client frames (1002)', async () => {
    const badUtf8 = await rawWebSocket(t.server.port, '/api/chat/ws', good())
    badUtf8.socket.write(wsFrame(TEXT, Buffer.from([0x7b, 0xc3, 0x28, 0x7d])))
    await badUtf8.closed
    expect(badUtf8.closeCode()).toBe(1007)

    const unmasked = await rawWebSocket(t.server.port, '/api/chat/ws', good())
    unmasked.socket.write(wsFrame(TEXT, Buffer.from('{"type":"ping"}'), { mask: false }))
    await unmasked.closed
    expect(unmasked.closeCode()).toBe(1002)

    // Reserved opcode and a fragmented control frame are protocol errors too.
    const reserved = await rawWebSocket(t.server.port, '/api/chat/ws', good())
    reserved.socket.write(wsFrame(0x3, Buffer.from('x')))
    await reserved.closed
    expect(reserved.closeCode()).toBe(1002)
    await waitFor(() => t.gateway.hub.counts().total === 0, 2_000, 'slots released')
  })

  it('answers invalid JSON, unknown types and JSON nested too deep with an error frame and stays open', async () => {
    const ws = await rawWebSocket(t.server.port, '/api/chat/ws', good())
    ws.socket.write(wsFrame(TEXT, Buffer.from('{not json')))
    ws.socket.write(wsFrame(TEXT, Buffer.from('{"type":"constructor","__proto__":{"polluted":true}}')))
    ws.socket.write(wsFrame(TEXT, Buffer.from('['.repeat(60_000))))
    // Issue 19, defect 5: well-formed, 5,000 deep, inside a valid frame type.
    ws.socket.write(wsFrame(TEXT, Buffer.from(`{"type":"message","content":"x","images":${'['.repeat(5_000)}${']'.repeat(5_000)}}`)))
    ws.socket.write(wsFrame(TEXT, Buffer.from('{"type":"ping","id":"still-open"}')))
    await waitFor(() => ws.frames.some(([op, p]) => op === TEXT && p.toString().includes('still-open')), 5_000, 'pong')
    const texts = ws.frames.filter(([op]) => op === TEXT).map(([, p]) => JSON.parse(p.toString()) as { type: string; code?: string; message?: string })
    const errors = texts.filter((f) => f.type === 'error')
    expect(errors.map((f) => f.code)).toEqual(['invalid_message', 'invalid_message', 'invalid_request', 'invalid_request'])
    expect(errors.at(-1)?.message).toMatch(/nested deeper than 64/)
    for (const frame of texts) expect(JSON.stringify(frame)).not.toMatch(/at .*\.ts:\d+|node_modules/)
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined()
    expect(ws.frames.some(([op]) => op === CLOSE)).toBe(false)
    ws.socket.write(wsFrame(CLOSE, Buffer.from([0x03, 0xe8])))
    await ws.closed
  })

  it('closes on a binary frame with 1003 (RFC 6455 7.4.1: a data type it cannot accept), releasing the slot', async () => {
    const ws = await rawWebSocket(t.server.port, '/api/chat/ws', good())
    ws.socket.write(wsFrame(BINARY, Buffer.from([0, 1, 2, 3])))
    await waitFor(() => ws.closeCode() !== undefined, 5_000, 'a close frame')
    expect(ws.closeCode()).toBe(1003)
    // Answer the close handshake, as a client does.
    ws.socket.write(wsFrame(CLOSE, Buffer.from([0x03, 0xeb])))
    await ws.closed
    await waitFor(() => t.gateway.hub.counts().total === 0, 2_000, 'slot released')
  })

  it('sheds a flood of unauthenticated and malformed upgrades; a real client still connects', async () => {
    const base = await connections()
    const sockets: net.Socket[] = []
    const heads: Promise<string>[] = []
    const closes: Promise<void>[] = []
    const open = (text: string) => {
      const socket = net.connect(t.server.port, '127.0.0.1', () => socket.write(text))
      socket.on('error', () => undefined)
      sockets.push(socket)
      let data = ''
      socket.on('data', (d) => (data += d.toString('latin1')))
      heads.push(new Promise((resolve) => {
        socket.on('data', () => data.includes('\r\n\r\n') && resolve(data.split('\r\n')[0]!))
        socket.on('close', () => resolve(data.split('\r\n')[0] ?? ''))
      }))
      closes.push(new Promise((resolve) => socket.on('close', () => resolve())))
    }
    const key = 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13'
    for (let i = 0; i < 200; i++) open(`GET /api/chat/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n${key}\r\nOrigin: ${t.origin}\r\n\r\n`)
    for (let i = 0; i < 100; i++) open(`GET /api/chat/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: h2c\r\nAuthorization: Bearer ${TEST_TOKEN}\r\n\r\n`)
    for (let i = 0; i < 100; i++) open(`GET /api/chat/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nAuthorization: Bearer ${TEST_TOKEN}\r\n\r\n`)
    const within = <T>(p: Promise<T>, what: string) => Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(what)), 10_000))])
    const statuses = await within(Promise.all(heads), 'upgrade flood left requests unanswered')
    expect(statuses.slice(0, 200).every((s) => s.startsWith('HTTP/1.1 401'))).toBe(true)
    expect(statuses.slice(200, 300).every((s) => s.startsWith('HTTP/1.1 400'))).toBe(true)
    // No `Connection: Upgrade`: an ordinary GET of the WebSocket route, refused like any other.
    expect(statuses.slice(300).every((s) => /^HTTP\/1\.1 4\d\d/.test(s))).toBe(true)
    // Refused upgrades are closed by the server, not left for the client to drop.
    await within(Promise.all(closes.slice(0, 300)), 'refused upgrades left open')
    for (const socket of sockets) socket.destroy()
    await waitFor(async () => (await connections()) <= base, 5_000, 'connections back to baseline')
    expect(t.gateway.hub.counts().total).toBe(0)
    const real = await WsClient.connect(`${t.wsUrl}/api/chat/ws`, { headers: t.auth, origin: t.origin })
    real.send({ type: 'ping', id: 'after-flood' })
    await real.next((f) => f.type === 'pong')
    real.close()
  })
})
