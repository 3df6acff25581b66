import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { testGateway } from '../support/gateway'
import { startOidcProvider } from '../support/oidc-provider'
import { cookieHeaders, sessionCookie, setCookieLine } from './cookie'

type Gw = Awaited<ReturnType<typeof testGateway>>
let provider: Awaited<ReturnType<typeof startOidcProvider>>
let gw: Gw | undefined
beforeAll(async () => {
  provider = await startOidcProvider({ clientId: 'gateway', clientSecret: 'client-secret-123' })
})
afterAll(() => provider.close())
afterEach(async () => {
  provider.state.tamper = 'none'
  await gw?.close()
  gw = undefined
})

const oidcGateway = () =>
  testGateway({ config: { signIn: { oidc: { issuer: provider.issuer, clientId: 'gateway', clientSecret: 'client-secret-123', roleClaim: 'groups', adminValues: ['gateway-admins'] } } } })
const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string } }).error

/** Starts a login at the gateway and lets the provider approve it: the callback request to make. */
async function toCallback(g: Gw): Promise<{ path: string; stateCookie: string }> {
  const start = await g.request('/api/auth/oidc/login', { token: null })
  expect(start.status).toBe(302)
  const authorize = new URL(start.headers.get('location')!)
  expect(authorize.origin).toBe(provider.issuer)
  expect(authorize.searchParams.get('code_challenge_method')).toBe('S256')
  expect(authorize.searchParams.get('nonce')).toBeTruthy()
  const stateCookie = /^gateway_oidc_state=([^;]*)/.exec(setCookieLine(start, 'gateway_oidc_state')!)![1]!
  const approved = await fetch(authorize, { redirect: 'manual' })
  const back = new URL(approved.headers.get('location')!)
  expect(back.pathname).toBe('/api/auth/oidc/callback')
  return { path: back.pathname + back.search, stateCookie }
}

const callback = (g: Gw, { path, stateCookie }: { path: string; stateCookie: string }) =>
  g.request(path, { token: null, headers: { cookie: `gateway_oidc_state=${stateCookie}` } })

describe('OIDC login (authorization code + PKCE)', () => {
  it('a round trip creates the user by (issuer, sub), maps the role claim and opens a cookie session', async () => {
    gw = await oidcGateway()
    provider.state.user = { sub: 'ada-1', name: 'Ada Lovelace', email: 'ada@example.com', email_verified: true, groups: ['gateway-admins'] }
    const res = await callback(gw, await toCallback(gw))
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/')
    const cookie = sessionCookie(res)!
    const session = (await (await gw.request('/api/auth/session', { token: null, headers: cookieHeaders(cookie) })).json()) as { user_id: string; role: string; display_name: string; session: { method: string; subject: string } }
    expect(session).toMatchObject({ role: 'admin', display_name: 'Ada Lovelace', session: { method: 'oidc', subject: `${provider.issuer} ada-1` } })

    // Next sign-in: the same account; the claim still decides the role.
    provider.state.user = { sub: 'ada-1', name: 'Ada', groups: [] }
    const again = sessionCookie(await callback(gw, await toCallback(gw)))!
    const second = (await (await gw.request('/api/auth/session', { token: null, headers: cookieHeaders(again) })).json()) as { user_id: string; role: string }
    expect(second).toMatchObject({ user_id: session.user_id, role: 'member' })
    const user = (await (await gw.request(`/api/admin/users/${session.user_id}`)).json()) as { email: string }
    expect(user.email).toBe('ada@example.com')
  })

  for (const [tamper, pattern] of [
    ['wrong-key', /signature/i],
    ['wrong-audience', /aud/i],
    ['expired', /exp/i],
    ['wrong-nonce', /nonce/i],
  ] as const) {
    it(`refuses an ID token with ${tamper} clearly, and opens no session`, async () => {
      gw = await oidcGateway()
      provider.state.tamper = tamper
      const res = await callback(gw, await toCallback(gw))
      expect(res.status).toBe(401)
      expect(sessionCookie(res)).toBeUndefined()
      const error = await errorOf(res)
      expect(error.code).toBe('oidc_login_failed')
      expect(error.message).toMatch(pattern)
      expect(error.message).not.toContain('client-secret-123')
    })
  }

  it('refuses a replayed state, and a callback the browser did not start', async () => {
    gw = await oidcGateway()
    const first = await toCallback(gw)
    expect((await callback(gw, first)).status).toBe(303)
    const replay = await callback(gw, first)
    expect(replay.status).toBe(400)
    expect((await errorOf(replay)).code).toBe('oidc_state_unknown')

    const other = await toCallback(gw)
    const foreign = await gw.request(other.path, { token: null })
    expect(foreign.status).toBe(400)
    expect((await errorOf(foreign)).code).toBe('oidc_state_mismatch')
  })

  it('answers 503 when not configured, and when the provider cannot be reached', async () => {
    gw = await testGateway()
    const off = await gw.request('/api/auth/oidc/login', { token: null })
    expect(off.status).toBe(503)
    expect((await errorOf(off)).code).toBe('oidc_unavailable')
    await gw.close()
    gw = await testGateway({ config: { signIn: { oidc: { issuer: 'http://127.0.0.1:9/', clientId: 'x' } } } })
    const down = await gw.request('/api/auth/oidc/login', { token: null })
    expect(down.status).toBe(503)
    expect((await errorOf(down)).code).toBe('oidc_unavailable')
  })
})
