import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, TEST_TOKEN, type TestServer } from '../support/gateway'
import { rawExchange, rawGet, type RawResponse } from '../support/raw-http'

/**
 * security-bar.md 18, 19, 21, 22, 24, 25, 27 on a real socket: what Node's parser and the
 * gateway do with framing, headers and methods that `app.request()` never sees.
 */
describe('HTTP parsing and limits on a real socket', () => {
  let t: TestServer
  beforeAll(async () => {
    t = await startTestServer()
  })
  afterAll(() => t.close())

  const post = (path: string, headers: string[], body = '') =>
    rawExchange(t.server.port, [`POST ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close', ...headers, '', body].join('\r\n'))

  const expectHardened = (res: RawResponse) => {
    expect(res.headers['x-content-type-options']).toBe('nosniff')
    expect(res.headers['x-frame-options']).toBe('DENY')
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'")
    expect(res.headers['referrer-policy']).toBe('no-referrer')
    expect(res.headers['x-powered-by']).toBeUndefined()
  }

  it('refuses Content-Length together with Transfer-Encoding (request smuggling) with 400', async () => {
    const res = await post('/api/chat/send', [`Authorization: Bearer ${TEST_TOKEN}`, 'Content-Type: application/json', 'Content-Length: 4', 'Transfer-Encoding: chunked'], '0\r\n\r\n')
    expect(res.status).toBe(400)
    expect(t.gateway.hub.counts().total).toBe(0)
  })

  it('takes a 9 MiB chunked body under the limit (never 500)', async () => {
    const piece = `"${'z'.repeat(1024 * 1024 - 2)}"`.slice(0, 1024 * 1024)
    const res = await rawExchange(
      t.server.port,
      ['PUT /api/settings/big-chunked HTTP/1.1', 'Host: 127.0.0.1', `Authorization: Bearer ${TEST_TOKEN}`, 'Content-Type: application/json', 'Transfer-Encoding: chunked', 'Connection: close', '', ''].join('\r\n'),
      {
        after: (socket) => {
          // {"value":"zzzz...."} split over 9 chunks of 1 MiB.
          const json = `{"value":${'"'}${'z'.repeat(9 * 1024 * 1024 - 20)}${'"'}}`
          for (let i = 0; i < json.length; i += piece.length) {
            const part = json.slice(i, i + piece.length)
            socket.write(`${Buffer.byteLength(part).toString(16)}\r\n${part}\r\n`)
          }
          socket.write('0\r\n\r\n')
        },
        timeoutMs: 30_000,
      },
    )
    expect(res.status).toBeGreaterThanOrEqual(200)
    expect(res.status).toBeLessThan(500)
    expect(res.status).not.toBe(413)
  })

  it('closes the connection after refusing a body it did not read, so a keep-alive client\'s next request is not cut', async () => {
    // Regression: the unread body was drained for 500 ms by @hono/node-server, then the socket
    // destroyed under the next request the client had sent on it (about 1 in 2).
    const refusals: Array<[string, Record<string, string>, number]> = [
      ['/api/memory/search', { ...t.auth, 'content-type': 'application/json' }, 413],
      ['/api/chat/send', { 'content-type': 'application/json' }, 401],
      ['/api/chat/send', { ...t.auth, 'content-type': 'text/plain' }, 415],
      ['/api/nope', { ...t.auth, 'content-type': 'application/json' }, 404],
      ['/api/jobs/not-a-uuid/cancel', { ...t.auth, 'content-type': 'application/json' }, 400],
    ]
    for (const [path, headers, status] of refusals) {
      const statuses: number[] = []
      for (let i = 0; i < 8; i++) {
        const refused = await fetch(`${t.url}${path}`, { method: 'POST', headers, body: 'x'.repeat(300_000) })
        await refused.arrayBuffer()
        statuses.push(refused.status)
        expect(refused.headers.get('connection')).toBe('close')
        const next = await fetch(`${t.url}/api/chat/threads`, { headers: t.auth })
        await next.arrayBuffer()
        statuses.push(next.status)
      }
      expect(statuses, path).toEqual(Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? status : 200)))
    }
    // A body that was read keeps the connection.
    const read = await fetch(`${t.url}/api/chat/send`, { method: 'POST', headers: { ...t.auth, 'content-type': 'application/json' }, body: '{"content":1}' })
    await read.arrayBuffer()
    expect(read.status).toBe(400)
    expect(read.headers.get('connection')).not.toBe('close')
  })

  it('answers 431 to headers over 16 KiB and still serves 1000 small ones', async () => {
    const big = await rawGet(t.server.port, '/api/health', { 'X-Filler': 'a'.repeat(20 * 1024) })
    expect(big.status).toBe(431)
    const many = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`X-H${i}`, 'v']))
    const ok = await rawGet(t.server.port, '/api/health', many)
    expect(ok.status).toBe(200)
  })

  it('does not echo TRACE, and answers unknown methods without a 500', async () => {
    for (const method of ['TRACE', 'TRACK', 'PROPFIND', 'CONNECT']) {
      const target = method === 'CONNECT' ? '127.0.0.1:80' : '/api/health'
      const started = Date.now()
      const res = await rawExchange(t.server.port, [`${method} ${target} HTTP/1.1`, 'Host: 127.0.0.1', `Authorization: Bearer ${TEST_TOKEN}`, 'X-Secret-Probe: reflected?', 'Connection: close', '', ''].join('\r\n'))
      // Node has no CONNECT handler here, so it drops the socket without an answer (not a tunnel).
      if (method === 'CONNECT') {
        expect(res.text).toBe('')
        expect(Date.now() - started).toBeLessThan(5_000)
        continue
      }
      expect(res.status, method).toBeGreaterThanOrEqual(400)
      expect(res.status, method).toBeLessThan(500)
      expect(res.text, method).not.toContain('reflected?')
      expect(res.text, method).not.toContain(TEST_TOKEN)
    }
  })

  it('refuses a foreign Host (DNS rebinding) on the API, the app shell, the OAuth callback and the WebSocket route', async () => {
    for (const path of ['/', '/api/health', '/api/chat/threads', '/oauth/callback?state=x&code=y', '/api/chat/events']) {
      const own = await rawExchange(t.server.port, [`GET ${path} HTTP/1.1`, 'Host: 127.0.0.1', `Authorization: Bearer ${TEST_TOKEN}`, 'Connection: close', '', ''].join('\r\n'), { timeoutMs: 1_000 })
      expect(own.status, path).not.toBe(421)
      const foreign = await rawExchange(t.server.port, [`GET ${path} HTTP/1.1`, 'Host: evil.example', `Authorization: Bearer ${TEST_TOKEN}`, 'Connection: close', '', ''].join('\r\n'))
      expect(foreign.status, path).toBe(421)
      expectHardened(foreign)
    }
    const upgrade = await rawExchange(
      t.server.port,
      ['GET /api/chat/ws HTTP/1.1', 'Host: evil.example', `Authorization: Bearer ${TEST_TOKEN}`, 'Origin: http://evil.example', 'Connection: Upgrade', 'Upgrade: websocket', 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', '', ''].join('\r\n'),
    )
    expect(upgrade.status).toBe(421)
  })

  it('a cross-site form post (text/plain, no Authorization) is refused before any handler', async () => {
    const res = await post('/api/chat/send', ['Content-Type: text/plain', 'Origin: https://evil.example', 'Content-Length: 20'], '{"content":"hello!"}')
    expect(res.status).toBe(401)
    expectHardened(res)
    const withToken = await post('/api/chat/send', [`Authorization: Bearer ${TEST_TOKEN}`, 'Content-Type: text/plain', 'Content-Length: 20'], '{"content":"hello!"}')
    expect(withToken.status).toBe(415)
  })

  it('puts the security headers on every error status, on the wire', async () => {
    const cases: Array<[number, Promise<RawResponse>]> = [
      [401, rawGet(t.server.port, '/api/chat/threads')],
      [403, rawGet(t.server.port, '/api/chat/ws', { Authorization: `Bearer ${TEST_TOKEN}`, Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', Origin: 'https://evil.example' })],
      [404, rawGet(t.server.port, '/api/nope', { Authorization: `Bearer ${TEST_TOKEN}` })],
      [413, post('/api/chat/send', [`Authorization: Bearer ${TEST_TOKEN}`, 'Content-Type: application/json', `Content-Length: ${10 * 1024 * 1024 + 1}`])],
      [415, post('/api/chat/send', [`Authorization: Bearer ${TEST_TOKEN}`, 'Content-Type: application/x-www-form-urlencoded', 'Content-Length: 3'], 'a=b')],
      [400, post('/api/chat/send', [`Authorization: Bearer ${TEST_TOKEN}`, 'Content-Type: application/json', 'Content-Length: 1'], '{')],
    ]
    for (const [status, pending] of cases) {
      const res = await pending
      expect(res.status, String(status)).toBe(status)
      // A refused upgrade is written by hand on the socket; it copies the route's headers.
      expectHardened(res)
    }
  })

  it('keeps health free of the version and the runtime', async () => {
    const res = await rawGet(t.server.port, '/api/health')
    expect(res.status).toBe(200)
    expect(res.body).not.toMatch(/\d+\.\d+\.\d+/)
    expect(res.headers.server).toBeUndefined()
  })
})
