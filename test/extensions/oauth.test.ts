import { afterAll, beforeEach, describe, expect, it } from 'vitest'
import { systemClock } from '../../src/lib/time'
import { ExtensionRepository } from '../../src/services/extensions/extension-repository'
import { safeRedirectPath } from '../../src/services/extensions/oauth'
import { OAUTH_FLOW_CAP } from '../../src/services/extensions/oauth-flows'
import { testGateway } from '../support/gateway'
import { startMcpHttpServer, startMockAuthServer } from '../support/mcp-http'
import { createUser } from '../support/users'
import { json, manifestDir, recordEvents } from './helpers'

/**
 * An OAuth sign-in against a mock authorization server on loopback (code flow + PKCE S256),
 * guarding a real Streamable HTTP MCP server that accepts only the tokens it issued.
 */
describe('extension OAuth', async () => {
  const as = await startMockAuthServer()
  const revoked = new Set<string>()
  const mcp = await startMcpHttpServer({ accepts: (token) => token !== undefined && as.issued.includes(token) && !revoked.has(token) })
  const dir = manifestDir([
    {
      name: 'cloud',
      display_name: 'Cloud <Drive>',
      description: 'An OAuth-protected MCP server',
      transport: { type: 'http', url: mcp.url },
      oauth: { authorization_url: as.authorizeUrl, token_url: as.tokenUrl, client_id: 'gateway-client', scopes: ['files.read', 'offline'], extra_params: { prompt: 'consent' }, token_secret: 'cloud_token' },
      tools: { requires_approval: false },
    },
  ])
  const gw = await testGateway({ config: { extensions: { dir } } })
  const rec = recordEvents(gw)
  afterAll(async () => {
    rec.stop()
    await gw.close()
    await mcp.close()
    await as.close()
  })
  /** Forgets the owner's tokens, so the next setup starts a sign-in again. */
  const signOut = async (userId = 'owner') => {
    await gw.services.secrets!.delete(userId, 'cloud_token')
    await gw.services.secrets!.delete(userId, 'cloud_token_refresh')
  }
  beforeEach(async () => {
    rec.clear()
    await signOut()
    const installed = (await json(await gw.request('/api/extensions'))).extensions.some((e: { name: string }) => e.name === 'cloud')
    if (!installed) expect((await gw.request('/api/extensions/install', { method: 'POST', json: { name: 'cloud' } })).status).toBe(201)
    rec.clear()
  })

  /** Starts a sign-in through setup; returns the provider URL and the browser-binding cookie. */
  const start = async (token?: string, body: Record<string, unknown> = { secrets: {} }) => {
    const res = await gw.request('/api/extensions/cloud/setup', { method: 'POST', json: body, ...(token ? { token } : {}) })
    expect(res.status).toBe(202)
    const out = await json(res)
    const setCookie = res.headers.get('set-cookie') ?? ''
    return { out, authUrl: new URL(out.auth_url as string), cookie: setCookie.split(';')[0]!, setCookie }
  }
  /** The browser at the provider: it consents and is sent back to the callback. */
  const consent = async (authUrl: URL) => {
    const res = await fetch(authUrl, { redirect: 'manual' })
    expect(res.status).toBe(302)
    const back = new URL(res.headers.get('location')!)
    return `${back.pathname}${back.search}`
  }
  const callback = (path: string, cookie?: string) => gw.request(path, { token: null, headers: cookie ? { cookie } : {} })

  it('signs in: PKCE S256 + state, browser-bound cookie, token exchanged once, extension active', async () => {
    const { out, authUrl, cookie, setCookie } = await start(undefined, { secrets: {}, redirect_after: '/extensions?tab=cloud' })
    expect(out).toMatchObject({ success: false, activated: false, message: "'cloud' requires authentication." })
    expect(rec.of('auth_required', 'owner')).toEqual(expect.arrayContaining([expect.objectContaining({ extension_name: 'cloud', auth_url: out.auth_url })]))
    expect(`${authUrl.origin}${authUrl.pathname}`).toBe(as.authorizeUrl)
    const q = authUrl.searchParams
    expect(q.get('response_type')).toBe('code')
    expect(q.get('client_id')).toBe('gateway-client')
    expect(q.get('redirect_uri')).toBe('http://localhost/oauth/callback')
    expect(q.get('scope')).toBe('files.read offline')
    expect(q.get('prompt')).toBe('consent')
    expect(q.get('code_challenge_method')).toBe('S256')
    expect(q.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(q.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(setCookie).toMatch(/HttpOnly/i)
    expect(setCookie).toMatch(/SameSite=Lax/i)
    expect(setCookie).toMatch(/Path=\/oauth\/callback/)
    expect(setCookie).toMatch(/Max-Age=300/)

    const path = await consent(authUrl)
    const page = await callback(path, cookie)
    expect(page.status).toBe(200)
    const html = await page.text()
    expect(page.headers.get('content-type')).toMatch(/^text\/html/)
    expect(page.headers.get('cache-control')).toBe('no-store')
    const csp = page.headers.get('content-security-policy')!
    expect(csp).toContain("default-src 'none'")
    expect(csp).toMatch(/style-src 'sha256-[A-Za-z0-9+/=]+'/)
    expect(csp).not.toContain('script-src')
    expect(html).toContain('<h1>Cloud &#60;Drive&#62; Connected</h1>')
    expect(html).toContain('href="/extensions?tab=cloud"')
    expect(html).not.toMatch(/<script/i)
    expect(page.headers.get('set-cookie')).toMatch(/Max-Age=0/)

    expect(as.exchanges).toEqual([expect.objectContaining({ ok: true })])
    expect(rec.of('auth_completed', 'owner')).toEqual([expect.objectContaining({ extension_name: 'cloud', success: true })])
    const info = (await json(await gw.request('/api/extensions'))).extensions.find((e: { name: string }) => e.name === 'cloud')
    expect(info).toMatchObject({ active: true, authenticated: true, tools: ['cloud__lookup', 'cloud__stats'] })
    expect(await gw.services.secrets!.get('owner', 'cloud_token')).toBe(as.issued[0])
    expect(await gw.services.secrets!.get('owner', 'cloud_token_refresh')).toMatch(/^refresh-/)
    expect(JSON.stringify(info)).not.toContain(as.issued[0])

    // A replayed callback finds nothing: no second exchange.
    const replay = await callback(path, cookie)
    expect(replay.status).toBe(400)
    expect(await replay.text()).toContain('Authorization Failed')
    expect(as.exchanges).toHaveLength(1)
  })

  it('fails forged, incomplete, expired, cross-browser and provider-refused callbacks without exchanging', async () => {
    const before = as.exchanges.length
    const forged = await callback(`/oauth/callback?code=abc&state=${'A'.repeat(43)}`)
    expect(forged.status).toBe(400)
    expect((await callback('/oauth/callback?code=abc')).status).toBe(400)
    expect((await callback('/oauth/callback?code=abc&state=../../etc')).status).toBe(400)
    expect((await callback('/oauth/callback')).status).toBe(400)

    // Expired: the flow is older than five minutes.
    const a = await start()
    await gw.store!.db.updateTable('extension_oauth_flows').set({ expires_at: '2000-01-01T00:00:00.000Z' }).execute()
    const expired = await callback(await consent(a.authUrl), a.cookie)
    expect(expired.status).toBe(400)
    expect(await expired.text()).toContain('OAuth flow expired. Please try again.')
    expect(rec.of('auth_completed', 'owner')).toEqual([expect.objectContaining({ success: false, message: 'OAuth flow expired. Please try again.' })])

    // Another browser (no cookie, or someone else's) cannot complete it; the state is spent.
    const b = await start()
    const pathB = await consent(b.authUrl)
    expect((await callback(pathB)).status).toBe(400)
    expect((await callback(pathB, b.cookie)).status).toBe(400)
    const c = await start()
    const d = await start()
    const wrong = `${c.cookie.split('=')[0]}=${d.cookie.split('=')[1]}`
    expect((await callback(await consent(c.authUrl), wrong)).status).toBe(400)

    // The provider refused: its text is shown escaped.
    const e = await start()
    const state = e.authUrl.searchParams.get('state')!
    const refused = await callback(`/oauth/callback?state=${state}&error=${encodeURIComponent('<script>alert(1)</script>')}`, e.cookie)
    expect(refused.status).toBe(400)
    const html = await refused.text()
    expect(html).not.toContain('<script>')
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;')
    // No code at all.
    const f = await start()
    expect((await callback(`/oauth/callback?state=${f.authUrl.searchParams.get('state')}`, f.cookie)).status).toBe(400)

    expect(as.exchanges.length).toBe(before)
  })

  it("binds the state to its user: another user's flow does not complete into the caller", async () => {
    const member = await createUser(gw, { display_name: 'M' })
    expect((await gw.request('/api/extensions/install', { method: 'POST', json: { name: 'cloud' }, token: member.token })).status).toBe(201)
    const mine = await start(member.token)
    const path = await consent(mine.authUrl)
    expect((await callback(path, mine.cookie)).status).toBe(200)
    expect(await gw.services.secrets!.get(member.id, 'cloud_token')).toBe(as.issued.at(-1))
    expect(rec.of('auth_completed', member.id)).toEqual([expect.objectContaining({ success: true })])
    expect(rec.of('auth_completed', 'owner')).toEqual([])
  })

  it('removing the extension or cancelling the auth ends pending sign-ins', async () => {
    const before = as.exchanges.length
    const a = await start()
    expect((await gw.request('/api/chat/auth-cancel', { method: 'POST', json: { extension_name: 'cloud' } })).status).toBe(200)
    expect((await callback(await consent(a.authUrl), a.cookie)).status).toBe(400)
    const b = await start()
    expect((await gw.request('/api/extensions/cloud/remove', { method: 'POST' })).status).toBe(200)
    const after = await callback(await consent(b.authUrl), b.cookie)
    expect(after.status).toBe(400)
    expect(as.exchanges.length).toBe(before)
    expect(await gw.store!.db.selectFrom('extension_oauth_flows').select('state_hash').where('user_id', '=', 'owner').execute()).toEqual([])
  })

  it('refreshes an expired access token, and signs in again when the server refuses the token', async () => {
    const a = await start()
    expect((await callback(await consent(a.authUrl), a.cookie)).status).toBe(200)
    // The access token expired: activation refreshes it with the stored refresh token.
    await gw.services.secrets!.set('owner', 'cloud_token', 'stale', { expiresAt: '2000-01-01T00:00:00.000Z' })
    const refreshes = as.refreshes
    const act = await gw.request('/api/extensions/cloud/activate', { method: 'POST' })
    expect(act.status).toBe(200)
    expect(as.refreshes).toBe(refreshes + 1)
    // The server stops accepting the token: activation starts a new sign-in.
    revoked.add((await gw.services.secrets!.get('owner', 'cloud_token'))!)
    const again = await gw.request('/api/extensions/cloud/activate', { method: 'POST' })
    expect(again.status).toBe(202)
    expect((await json(again)).auth_url).toContain(as.authorizeUrl)
    await gw.request('/api/extensions/cloud/remove', { method: 'POST' })
  })

  it('keeps at most OAUTH_FLOW_CAP pending sign-ins (the oldest go)', async () => {
    expect(OAUTH_FLOW_CAP).toBe(1024)
    const repo = new ExtensionRepository(gw.store!.db, systemClock)
    await gw.store!.db.deleteFrom('extension_oauth_flows').execute()
    for (let i = 0; i < 8; i++) {
      const at = new Date(Date.now() + i).toISOString()
      await repo.addFlow(`hash-${i}`, { user_id: 'u', extension: 'cloud', code_verifier: 'v', redirect_uri: 'r', redirect_after: '/', browser_hash: 'b', created_at: at, expires_at: new Date(Date.now() + 60_000).toISOString() }, 5)
    }
    const rows = await gw.store!.db.selectFrom('extension_oauth_flows').select('state_hash').orderBy('state_hash').execute()
    expect(rows.map((r) => r.state_hash)).toEqual(['hash-3', 'hash-4', 'hash-5', 'hash-6', 'hash-7'])
  })
})

describe('redirect_after', () => {
  it('keeps same-origin paths and turns everything else into /', () => {
    expect(safeRedirectPath('/extensions')).toBe('/extensions')
    expect(safeRedirectPath('/a/b?x=1#h')).toBe('/a/b?x=1#h')
    for (const bad of [undefined, '', 'extensions', '//evil.example', '/\\evil.example', '\\\\evil', '%2F%2Fevil.example', '/%2F%2Fevil.example', '/%5Cevil', '/%252F%252Fevil', 'https://evil.example/', 'javascript:alert(1)', '/x\r\nSet-Cookie: a=b', '/x%0d%0aSet-Cookie:a=b', '/\tevil', '/%00', `/${'x'.repeat(600)}`]) {
      expect(safeRedirectPath(bad), String(bad)).toBe('/')
    }
  })
})

describe('/oauth/callback without extensions', () => {
  it('is public and answers a failure page (503)', async () => {
    const gw = await testGateway({ store: undefined })
    try {
      const res = await gw.request('/oauth/callback?code=x&state=y', { token: null })
      expect(res.status).toBe(503)
      expect(await res.text()).toContain('Authorization Failed')
    } finally {
      await gw.close()
    }
  })
})
