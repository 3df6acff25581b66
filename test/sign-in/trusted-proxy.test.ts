import { afterEach, describe, expect, it } from 'vitest'
import type { Context } from 'hono'
import { testGateway } from '../support/gateway'
import { cookieHeaders, sessionCookie } from './cookie'
import { TrustedProxy } from '../../src/auth/trusted-proxy'

type Gw = Awaited<ReturnType<typeof testGateway>>
let gw: Gw | undefined
afterEach(async () => {
  await gw?.close()
  gw = undefined
})

/** The peer address comes from the adapter; here, from the request's env as a test adapter would. */
const runtime = { name: 'fetch', remoteAddress: (c: Context) => (c.env as { remote?: string } | undefined)?.remote }
const proxied = (g: Gw, path: string, remote: string, headers: Record<string, string> = {}, init: RequestInit = {}) =>
  Promise.resolve(g.app.request(path, { ...init, headers }, { remote }))
const errorCode = async (res: Response) => ((await res.json()) as { error: { code: string; message: string } }).error

async function proxyGateway(defaultRole?: 'admin' | 'member') {
  return testGateway({ runtime, config: { signIn: { trustedProxy: { header: 'Remote-User', proxies: ['10.0.0.0/8', '::1'], ...(defaultRole ? { defaultRole } : {}) } } } })
}

describe('trusted reverse-proxy header login', () => {
  it('creates the user on first sight with the default role and opens a cookie session', async () => {
    gw = await proxyGateway('member')
    const res = await proxied(gw, '/api/auth/session', '10.1.2.3', { 'remote-user': 'alice' })
    expect(res.status).toBe(200)
    const body = (await res.json()) as { user_id: string; role: string; display_name: string; session: { method: string; subject: string } }
    expect(body).toMatchObject({ role: 'member', display_name: 'alice', session: { method: 'proxy', subject: 'alice' } })
    const cookie = sessionCookie(res)!
    // The same person next time is the same account.
    const again = await proxied(gw, '/api/auth/session', '::ffff:10.9.9.9', { 'remote-user': 'alice' })
    expect(((await again.json()) as { user_id: string }).user_id).toBe(body.user_id)
    // The cookie signs API requests in, with the header the proxy keeps adding.
    const who = await proxied(gw, '/api/auth/whoami', '10.1.2.3', { 'remote-user': 'alice', ...cookieHeaders(cookie) })
    expect(await who.json()).toMatchObject({ user_id: body.user_id })
    const users = (await (await gw.request('/api/admin/users')).json()) as { users: Array<{ id: string; display_name: string }> }
    expect(users.users.filter((u) => u.display_name === 'alice')).toHaveLength(1)
  })

  it('refuses the header from an address that is not a trusted proxy, with a clear error', async () => {
    gw = await proxyGateway()
    for (const path of ['/api/auth/session', '/api/auth/whoami']) {
      const res = await proxied(gw, path, '192.168.1.50', { 'remote-user': 'owner' })
      expect(res.status).toBe(403)
      const error = await errorCode(res)
      expect(error.code).toBe('untrusted_proxy')
      expect(error.message).toContain('192.168.1.50')
    }
    // Not even beside a valid bearer token.
    const bearer = await proxied(gw, '/api/auth/whoami', '192.168.1.50', { 'remote-user': 'owner', authorization: 'Bearer test-owner-token-0123456789abcdef' })
    expect(bearer.status).toBe(403)
    // Without an adapter that knows the peer, nobody is trusted.
    const unknown = await gw.request('/api/auth/session', { token: null, headers: { 'remote-user': 'alice' } })
    expect(unknown.status).toBe(403)
    // Without the header, the same address simply has no session.
    expect((await errorCode(await proxied(gw, '/api/auth/session', '192.168.1.50'))).code).toBe('no_session')
  })

  it("never serves one person's session to another: a changed header ends the old session", async () => {
    gw = await proxyGateway()
    const alice = sessionCookie(await proxied(gw, '/api/auth/session', '10.0.0.1', { 'remote-user': 'alice' }))!
    const asBob = await proxied(gw, '/api/auth/whoami', '10.0.0.1', { 'remote-user': 'bob', ...cookieHeaders(alice) })
    expect(asBob.status).toBe(401)
    expect((await errorCode(asBob)).code).toBe('session_identity_changed')
    const bob = await proxied(gw, '/api/auth/session', '10.0.0.1', { 'remote-user': 'bob', ...cookieHeaders(alice) })
    expect(await bob.json()).toMatchObject({ display_name: 'bob' })
    // Alice's session was ended rather than left for the next header.
    expect((await proxied(gw, '/api/auth/whoami', '10.0.0.1', { 'remote-user': 'alice', ...cookieHeaders(alice) })).status).toBe(401)
  })

  it('refuses a suspended account', async () => {
    gw = await proxyGateway()
    const first = (await (await proxied(gw, '/api/auth/session', '10.0.0.1', { 'remote-user': 'carol' })).json()) as { user_id: string }
    await gw.request(`/api/admin/users/${first.user_id}/suspend`, { method: 'POST' })
    const res = await proxied(gw, '/api/auth/session', '10.0.0.1', { 'remote-user': 'carol' })
    expect(res.status).toBe(403)
    expect((await errorCode(res)).code).toBe('account_suspended')
  })

  it('matches addresses and CIDRs of both families, and refuses a bad configuration at start', () => {
    const proxy = new TrustedProxy({ header: 'Remote-User', proxies: ['10.0.0.0/8', '127.0.0.1', 'fd00::/8'] }, undefined)
    expect(proxy.trusts('10.200.0.1')).toBe(true)
    expect(proxy.trusts('::ffff:127.0.0.1')).toBe(true)
    expect(proxy.trusts('fd12::1')).toBe(true)
    expect(proxy.trusts('11.0.0.1')).toBe(false)
    expect(proxy.trusts('127.0.0.2')).toBe(false)
    expect(proxy.trusts('not an address')).toBe(false)
    expect(() => new TrustedProxy({ header: 'Remote-User', proxies: [] }, undefined)).toThrow(/GATEWAY_TRUSTED_PROXIES/)
    expect(() => new TrustedProxy({ header: 'Remote-User', proxies: ['10.0.0.0/99'] }, undefined)).toThrow(/not an IP address/)
  })
})
