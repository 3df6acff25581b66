import { afterEach, describe, expect, it } from 'vitest'
import { testGateway } from '../support/gateway'
import { createUser, manualClock } from '../support/users'
import { cookieHeaders, sessionCookie, setCookieLine } from './cookie'

type Gw = Awaited<ReturnType<typeof testGateway>>
let gw: Gw | undefined
afterEach(async () => {
  await gw?.close()
  gw = undefined
})

const ORIGIN = 'http://localhost'

/** Pastes a bearer token once: the cookie session it opens and its CSRF token. */
async function paste(g: Gw, token?: string): Promise<{ cookie: string; csrf: string; id: string }> {
  const res = await g.request('/api/auth/session', { method: 'POST', ...(token ? { token } : {}) })
  expect(res.status).toBe(201)
  const body = (await res.json()) as { csrf_token: string; session: { id: string } }
  return { cookie: sessionCookie(res)!, csrf: body.csrf_token, id: body.session.id }
}

describe('web app cookie sessions', () => {
  it('a pasted bearer token opens an HttpOnly, SameSite=Strict session that signs in by cookie alone', async () => {
    gw = await testGateway()
    const res = await gw.request('/api/auth/session', { method: 'POST' })
    expect(res.status).toBe(201)
    const line = setCookieLine(res)!
    expect(line).toMatch(/HttpOnly/)
    expect(line).toMatch(/SameSite=Strict/)
    expect(line).toMatch(/Path=\//)
    expect(line).not.toMatch(/Secure/)
    const body = (await res.json()) as { user_id: string; role: string; csrf_token: string; session: { method: string; current: boolean } }
    expect(body).toMatchObject({ user_id: 'owner', role: 'admin', session: { method: 'token', current: true } })
    const cookie = sessionCookie(res)!
    expect(cookie).toMatch(/^[0-9a-f]{64}$/)

    const who = await gw.request('/api/auth/whoami', { token: null, headers: cookieHeaders(cookie) })
    expect(who.status).toBe(200)
    expect(await who.json()).toMatchObject({ user_id: 'owner' })
    const again = await gw.request('/api/auth/session', { token: null, headers: cookieHeaders(cookie) })
    expect(await again.json()).toMatchObject({ user_id: 'owner', csrf_token: body.csrf_token })
  })

  it('is Secure over TLS and when GATEWAY_PUBLIC_URL is https', async () => {
    gw = await testGateway({ config: { signIn: { publicUrl: 'https://agent.example.com' } } })
    const res = await gw.request('/api/auth/session', { method: 'POST' })
    expect(setCookieLine(res)).toMatch(/Secure/)
    await gw.close()
    gw = await testGateway()
    const tls = await gw.request('https://localhost/api/auth/session', { method: 'POST' })
    expect(setCookieLine(tls)).toMatch(/Secure/)
  })

  it('refuses a state-changing cookie request without the right Origin and CSRF token; bearer requests are unaffected', async () => {
    gw = await testGateway()
    const { cookie, csrf } = await paste(gw)
    const mint = (headers: Record<string, string>) => gw!.request('/api/tokens', { method: 'POST', token: null, headers, json: { name: 'ci' } })
    for (const headers of [cookieHeaders(cookie), cookieHeaders(cookie, { origin: ORIGIN }), cookieHeaders(cookie, { csrf }), cookieHeaders(cookie, { csrf, origin: 'https://evil.example' }), cookieHeaders(cookie, { csrf: 'f'.repeat(64), origin: ORIGIN })]) {
      const res = await mint(headers)
      expect(res.status).toBe(403)
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('csrf_failed')
    }
    expect((await mint(cookieHeaders(cookie, { csrf, origin: ORIGIN }))).status).toBe(201)
    // The bearer path needs neither.
    expect((await gw.request('/api/tokens', { method: 'POST', json: { name: 'bearer' } })).status).toBe(201)
  })

  it('never accepts a session secret as a bearer token, nor an API token as the cookie', async () => {
    gw = await testGateway()
    const { cookie } = await paste(gw)
    expect((await gw.request('/api/auth/whoami', { token: cookie })).status).toBe(401)
    const user = await createUser(gw)
    expect((await gw.request('/api/auth/whoami', { token: null, headers: cookieHeaders(user.token) })).status).toBe(401)
  })

  it('is listed and revocable on the tokens page, and signing out ends it at once', async () => {
    gw = await testGateway()
    const user = await createUser(gw)
    const first = await paste(gw, user.token)
    const second = await paste(gw, user.token)
    const list = await gw.request('/api/auth/sessions', { token: null, headers: cookieHeaders(second.cookie) })
    const { sessions } = (await list.json()) as { sessions: Array<{ id: string; current: boolean; method: string }> }
    expect(sessions.map((s) => s.id).sort()).toEqual([first.id, second.id].sort())
    expect(sessions.find((s) => s.current)?.id).toBe(second.id)

    const revoke = await gw.request(`/api/auth/sessions/${first.id}`, { method: 'DELETE', token: null, headers: cookieHeaders(second.cookie, { csrf: second.csrf, origin: ORIGIN }) })
    expect(revoke.status).toBe(200)
    expect((await gw.request('/api/auth/whoami', { token: null, headers: cookieHeaders(first.cookie) })).status).toBe(401)
    // Another user's session is not found.
    expect((await gw.request(`/api/auth/sessions/${second.id}`, { method: 'DELETE' })).status).toBe(404)

    const out = await gw.request('/api/auth/session', { method: 'DELETE', token: null, headers: cookieHeaders(second.cookie, { csrf: second.csrf, origin: ORIGIN }) })
    expect(out.status).toBe(200)
    expect(setCookieLine(out)).toMatch(/Max-Age=0/)
    expect((await gw.request('/api/auth/whoami', { token: null, headers: cookieHeaders(second.cookie) })).status).toBe(401)
    const probe = await gw.request('/api/auth/session', { token: null, headers: cookieHeaders(second.cookie) })
    expect(probe.status).toBe(401)
    expect(((await probe.json()) as { error: { code: string } }).error.code).toBe('no_session')
  })

  it("a suspended user's sessions die at once and stay dead when the account is re-activated", async () => {
    gw = await testGateway()
    const user = await createUser(gw)
    const { cookie } = await paste(gw, user.token)
    expect((await gw.request('/api/auth/whoami', { token: null, headers: cookieHeaders(cookie) })).status).toBe(200)
    expect((await gw.request(`/api/admin/users/${user.id}/suspend`, { method: 'POST' })).status).toBe(200)
    expect((await gw.request('/api/auth/whoami', { token: null, headers: cookieHeaders(cookie) })).status).toBe(401)
    expect((await gw.request(`/api/admin/users/${user.id}/activate`, { method: 'POST' })).status).toBe(200)
    expect((await gw.request('/api/auth/whoami', { token: null, headers: cookieHeaders(cookie) })).status).toBe(401)
    expect((await gw.request('/api/auth/whoami', { token: user.token })).status).toBe(200)
  })

  it('ends after the idle timeout and at its absolute expiry', async () => {
    const clock = manualClock()
    gw = await testGateway({ runtime: { name: 'fetch', clock }, config: { signIn: { sessions: { idleMs: 3_600_000, ttlMs: 3 * 3_600_000 } } } })
    const { cookie } = await paste(gw)
    const who = () => gw!.request('/api/auth/whoami', { token: null, headers: cookieHeaders(cookie) }).then((r) => r.status)
    // Used every 50 minutes it stays alive past the idle hour...
    for (let i = 0; i < 3; i++) {
      clock.advance(50 * 60_000)
      expect(await who()).toBe(200)
    }
    // ...until the absolute end (3 h).
    clock.advance(40 * 60_000)
    expect(await who()).toBe(401)

    const idle = await paste(gw)
    clock.advance(61 * 60_000)
    expect((await gw.request('/api/auth/whoami', { token: null, headers: cookieHeaders(idle.cookie) })).status).toBe(401)
  })

  it('an impersonation token cannot open a session, and a session cannot open another', async () => {
    gw = await testGateway()
    const user = await createUser(gw)
    const minted = await gw.request('/api/tokens', { method: 'POST', json: { name: 'as user', user_id: user.id } })
    const { token } = (await minted.json()) as { token: string }
    const res = await gw.request('/api/auth/session', { method: 'POST', token })
    expect(res.status).toBe(403)
    const { cookie, csrf } = await paste(gw)
    const nested = await gw.request('/api/auth/session', { method: 'POST', token: null, headers: cookieHeaders(cookie, { csrf, origin: ORIGIN }) })
    expect(nested.status).toBe(400)
  })

  it('without a database the routes answer 503 and sign-in methods say so', async () => {
    gw = await testGateway({ store: undefined })
    expect((await gw.request('/api/auth/session', { method: 'POST' })).status).toBe(503)
    const methods = await (await gw.request('/api/auth/methods', { token: null })).json()
    expect(methods).toMatchObject({ token: true, sessions: false, trusted_proxy: false, oidc: { enabled: false } })
  })
})
