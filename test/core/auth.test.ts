import { describe, expect, it } from 'vitest'
import { TEST_TOKEN, testGateway } from '../support/gateway'

describe('auth', async () => {
  const gw = await testGateway()
  const whoami = (headers: Record<string, string>, query = '') =>
    gw.app.request(`/api/auth/whoami${query}`, { headers })

  it('accepts the owner token with the Bearer scheme in any case', async () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER', 'bEaReR']) {
      const res = await whoami({ authorization: `${scheme} ${TEST_TOKEN}` })
      expect(res.status, scheme).toBe(200)
      expect(await res.json()).toEqual({ user_id: 'owner', role: 'admin', display_name: null, token_id: null, minted_by: null, impersonation: false })
    }
  })

  it('rejects missing, malformed and wrong tokens with 401 and the error envelope', async () => {
    const cases: Record<string, string>[] = [
      {},
      { authorization: '' },
      { authorization: 'Bearer ' },
      { authorization: `Bearer  ${TEST_TOKEN}` },
      { authorization: `Basic ${btoa(`x:${TEST_TOKEN}`)}` },
      { authorization: TEST_TOKEN },
      { authorization: 'Bearer wrong' },
      { authorization: `Bearer ${TEST_TOKEN.slice(0, -1)}` },
      { authorization: `Bearer ${TEST_TOKEN}x` },
      { authorization: `Bearer x${TEST_TOKEN}` },
      { authorization: `Bearer ${TEST_TOKEN.toUpperCase()}` },
    ]
    for (const headers of cases) {
      const res = await whoami(headers)
      expect(res.status, JSON.stringify(headers)).toBe(401)
      const body = (await res.json()) as { error: { code: string; message: string } }
      expect(body.error.code).toBe('unauthorized')
      expect(JSON.stringify(body)).not.toContain(TEST_TOKEN)
      expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    }
  })

  it('accepts ?token= only on the stream routes, and only on GET', async () => {
    const q = `?token=${encodeURIComponent(TEST_TOKEN)}`
    expect((await whoami({}, q)).status).toBe(401)
    expect((await gw.app.request(`/api/chat/send${q}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"content":"x"}' })).status).toBe(401)
    expect((await gw.app.request(`/api/chat/eventsX${q}`)).status).toBe(401)
    expect((await gw.app.request(`/api/chat/events/${q}`)).status).toBe(401)
    expect((await gw.app.request(`/api/gateway/status${q}`)).status).toBe(401)
    const res = await gw.app.request(`/api/chat/events${q}`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
    await res.body?.cancel()
  })

  it('does not fall back to ?token= when a wrong Authorization header is present', async () => {
    const res = await gw.app.request(`/api/chat/events?token=${TEST_TOKEN}`, { headers: { authorization: 'Bearer wrong' } })
    expect(res.status).toBe(401)
  })

  it('keeps health and docs public', async () => {
    const res = await gw.app.request('/api/health')
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: 'healthy', channel: 'gateway' })
    expect((await gw.app.request('/api/openapi.json')).status).toBe(200)
  })

  it('generates a 32-character alphanumeric owner token when none is configured', async () => {
    const generated = await testGateway({ config: { authToken: undefined } })
    expect(generated.generatedToken).toMatch(/^[A-Za-z0-9]{32}$/)
    const res = await generated.app.request('/api/auth/whoami', { headers: { authorization: `Bearer ${generated.generatedToken}` } })
    expect(res.status).toBe(200)
  })
})
