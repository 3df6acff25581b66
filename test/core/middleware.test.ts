import { describe, expect, it } from 'vitest'
import { TEST_TOKEN, testGateway } from '../support/gateway'

const SECURITY = ['x-content-type-options', 'x-frame-options', 'content-security-policy', 'referrer-policy']

describe('middleware', async () => {
  const gw = await testGateway({ config: { limits: { bodyLimitBytes: 1024 } } })
  gw.app.get('/api/test/boom', () => {
    throw new Error('secret internals at /home/user/.ssh')
  })
  const echo = gw.app.post('/api/test/echo', async (c) => c.json({ ok: true }))
  void echo
  gw.withAgent({ onMessage: () => {} })

  it('puts security headers on every response, errors included', async () => {
    const responses = [
      await gw.request('/api/health'),
      await gw.request('/api/auth/whoami', { token: null }),
      await gw.request('/api/nope'),
      await gw.request('/nope', { token: null }),
      await gw.request('/api/chat/send', { method: 'POST', json: { content: 'x'.repeat(2000) } }),
      await gw.request('/api/chat/send', { method: 'POST', body: 'x', headers: { 'content-type': 'text/plain' } }),
      await gw.request('/api/test/boom'),
      await gw.request('/'),
    ]
    expect(responses.map((r) => r.status)).toEqual([200, 401, 404, 401, 413, 415, 500, 200])
    for (const res of responses) {
      for (const name of SECURITY) expect(res.headers.get(name), `${res.status} ${name}`).toBeTruthy()
      expect(res.headers.get('x-frame-options')).toBe('DENY')
      expect(res.headers.get('referrer-policy')).toBe('no-referrer')
      expect(res.headers.get('x-powered-by')).toBeNull()
      const csp = res.headers.get('content-security-policy')!
      expect(csp).toContain("script-src 'self'")
      expect(csp).not.toContain('http')
      expect(csp).toContain("frame-ancestors 'none'")
    }
  })

  it('renders unknown errors as a generic 500 with a request id and no internals', async () => {
    const res = await gw.request('/api/test/boom')
    expect(res.status).toBe(500)
    const text = await res.text()
    expect(text).not.toContain('secret')
    expect(text).not.toContain('.ssh')
    expect(text).not.toContain('at ')
    const body = JSON.parse(text) as { error: { code: string; request_id: string } }
    expect(body.error.code).toBe('internal_error')
    expect(body.error.request_id).toMatch(/^[0-9a-f-]{36}$/)
    expect(res.headers.get('x-request-id')).toBe(body.error.request_id)
  })

  it('maps body problems to 400/413/415 with the JSON envelope', async () => {
    const malformed = await gw.request('/api/chat/send', { method: 'POST', body: '{"content":', headers: { 'content-type': 'application/json' } })
    expect(malformed.status).toBe(400)
    expect(((await malformed.json()) as { error: { code: string } }).error.code).toBe('invalid_json')

    const wrongShape = await gw.request('/api/chat/send', { method: 'POST', json: { content: 42 } })
    expect(wrongShape.status).toBe(400)
    const body = (await wrongShape.json()) as { error: { code: string; message: string; details: Array<{ path: string }> } }
    expect(body.error.code).toBe('invalid_request')
    expect(body.error.details[0]!.path).toBe('content')

    for (const type of [undefined, 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data']) {
      const headers: Record<string, string> = type ? { 'content-type': type } : {}
      const res = await gw.request('/api/chat/send', { method: 'POST', body: '{"content":"x"}', headers })
      expect(res.status, String(type)).toBe(415)
    }

    const big = await gw.request('/api/chat/send', { method: 'POST', json: { content: 'y'.repeat(5000) } })
    expect(big.status).toBe(413)
    expect(((await big.json()) as { error: { code: string } }).error.code).toBe('payload_too_large')
  })

  it('caps chunked bodies without a Content-Length', async () => {
    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 10; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(500)))
        controller.close()
      },
    })
    const res = await gw.app.request('/api/chat/send', {
      method: 'POST',
      body: chunks,
      headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' },
      // @ts-expect-error Node's fetch needs duplex for stream bodies
      duplex: 'half',
    })
    expect(res.status).toBe(413)
  })

  it('keeps __proto__ in JSON inert', async () => {
    const res = await gw.request('/api/chat/send', { method: 'POST', body: '{"content":"hi","__proto__":{"isAdmin":true}}', headers: { 'content-type': 'application/json' } })
    expect(res.status).toBe(202)
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined()
  })

  it('answers CORS preflights for allowed origins only, never on the WebSocket route', async () => {
    const preflight = (origin: string, path = '/api/chat/send') =>
      gw.app.request(path, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' } })
    const own = await preflight('http://localhost:3000')
    expect(own.status).toBe(204)
    expect(own.headers.get('access-control-allow-origin')).toBe('http://localhost:3000')
    expect(own.headers.get('access-control-allow-credentials')).toBe('true')
    expect(own.headers.get('access-control-allow-methods')).toContain('PATCH')
    for (const origin of ['https://evil.example', 'null', 'http://localhost.evil.com', 'http://localhost:3001']) {
      const res = await preflight(origin)
      expect(res.headers.get('access-control-allow-origin'), origin).toBeNull()
    }
    const ws = await preflight('http://localhost:3000', '/api/chat/ws')
    expect(ws.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('refuses foreign Host headers on a loopback bind (DNS rebinding)', async () => {
    const local = await testGateway({ config: { host: '127.0.0.1' } })
    for (const host of ['evil.example', 'evil.example:3000', '127.0.0.1.nip.io']) {
      const res = await local.app.request('http://x/api/health', { headers: { host } })
      expect(res.status, host).toBe(421)
      // Refused before any route, by the one error path, with the headers every response gets.
      expect(await res.json()).toEqual({ error: { code: 'host_not_allowed', message: expect.any(String) } })
      expect(res.headers.get('x-content-type-options'), host).toBe('nosniff')
      expect(res.headers.get('content-security-policy'), host).toContain("frame-ancestors 'none'")
    }
    expect((await local.app.request('http://localhost:3000/api/health')).status).toBe(200)
    expect((await local.app.request('http://127.0.0.1:3000/')).status).toBe(200)
  })
})
