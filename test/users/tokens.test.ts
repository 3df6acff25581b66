import { afterAll, describe, expect, it } from 'vitest'
import { TEST_TOKEN, testGateway } from '../support/gateway'
import { createUser, manualClock } from '../support/users'

const sha256Hex = async (text: string) =>
  [...new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)))].map((b) => b.toString(16).padStart(2, '0')).join('')

describe('API tokens', async () => {
  const clock = manualClock()
  const gw = await testGateway({ runtime: { name: 'node', clock } })
  afterAll(() => gw.close())
  const json = async (res: Response) => (await res.json()) as Record<string, any>
  const whoami = (token: string) => gw.request('/api/auth/whoami', { token })

  it('mints 256-bit tokens shown once, stores only their SHA-256, and lists them without secrets', async () => {
    const member = await createUser(gw)
    clock.advance(1)
    const res = await gw.request('/api/tokens', { method: 'POST', token: member.token, json: { name: 'CI', expires_in_days: 30 } })
    expect(res.status).toBe(201)
    const created = await json(res)
    expect(created.token).toMatch(/^[0-9a-f]{64}$/)
    expect(created).toMatchObject({ name: 'CI', token_prefix: created.token.slice(0, 8), user_id: member.id, revoked_at: null, last_used_at: null })
    expect(Date.parse(created.expires_at) - clock.now()).toBe(30 * 86_400_000)
    expect((await json(await whoami(created.token))).token_id).toBe(created.id)

    const list = await json(await gw.request('/api/tokens', { token: member.token }))
    expect(list.tokens.map((t: { name: string }) => t.name)).toEqual(['CI', 'initial'])
    const text = JSON.stringify(list)
    expect(text).not.toContain(created.token)
    expect(text).not.toContain(await sha256Hex(created.token))
    expect(list.tokens[0]).not.toHaveProperty('token')
    expect(list.tokens[0]).not.toHaveProperty('token_hash')

    const rows = await gw.store!.db.selectFrom('api_tokens').selectAll().where('id', '=', created.id).execute()
    expect(rows[0]!.token_hash).toBe(await sha256Hex(created.token))
    expect(JSON.stringify(rows)).not.toContain(created.token)
  })

  it('revokes a token: the very next request is 401, other tokens keep working', async () => {
    const member = await createUser(gw)
    const second = await json(await gw.request('/api/tokens', { method: 'POST', token: member.token, json: { name: 'laptop' } }))
    expect((await whoami(second.token)).status).toBe(200) // now cached by the authenticator
    const res = await gw.request(`/api/tokens/${second.id}`, { method: 'DELETE', token: member.token })
    expect(await json(res)).toEqual({ id: second.id, status: 'revoked' })
    expect((await whoami(second.token)).status).toBe(401)
    expect((await whoami(member.token)).status).toBe(200)
    const listed = (await json(await gw.request('/api/tokens', { token: member.token }))).tokens.find((t: { id: string }) => t.id === second.id)
    expect(listed.revoked_at).not.toBeNull()
    // Idempotent.
    expect((await gw.request(`/api/tokens/${second.id}`, { method: 'DELETE', token: member.token })).status).toBe(200)
  })

  it('expires a token on time even while its principal is cached', async () => {
    const member = await createUser(gw)
    const expiresAt = new Date(clock.now() + 60_000).toISOString()
    const t = await json(await gw.request('/api/tokens', { method: 'POST', token: member.token, json: { name: 'short', expires_at: expiresAt } }))
    expect((await whoami(t.token)).status).toBe(200)
    clock.advance(59_000)
    expect((await whoami(t.token)).status).toBe(200)
    clock.advance(1_000)
    expect((await whoami(t.token)).status).toBe(401)
    expect((await whoami(member.token)).status).toBe(200)
  })

  it('refuses past or double expiry, bad names and bad ids', async () => {
    const past = new Date(clock.now() - 1000).toISOString()
    for (const body of [{ name: 'x', expires_at: past }, { name: 'x', expires_at: 'tomorrow' }, { name: '' }, {}, { name: 'x', expires_in_days: 0 }, { name: 'x', expires_in_days: 1, expires_at: new Date(clock.now() + 1e6).toISOString() }]) {
      const res = await gw.request('/api/tokens', { method: 'POST', json: body })
      expect(res.status, JSON.stringify(body)).toBe(400)
    }
    expect((await gw.request('/api/tokens/not-a-uuid', { method: 'DELETE' })).status).toBe(400)
  })

  it("answers 404 for another user's token and never revokes it", async () => {
    const alice = await createUser(gw)
    const bob = await createUser(gw)
    const own = await json(await gw.request('/api/tokens', { method: 'POST', token: alice.token, json: { name: 'mine' } }))
    const res = await gw.request(`/api/tokens/${own.id}`, { method: 'DELETE', token: bob.token })
    expect(res.status).toBe(404)
    expect((await json(res)).error.code).toBe('token_not_found')
    // The owner is an admin, but tokens are self-service: not even the owner revokes one Alice minted herself.
    expect((await gw.request(`/api/tokens/${own.id}`, { method: 'DELETE' })).status).toBe(404)
    expect((await whoami(own.token)).status).toBe(200)
    const bobs = await json(await gw.request('/api/tokens', { token: bob.token }))
    expect(bobs.tokens.every((t: { user_id: string }) => t.user_id === bob.id)).toBe(true)
  })

  it('lets the owner (only) mint a token for another user, marked as impersonation', async () => {
    const member = await createUser(gw)
    const other = await createUser(gw)
    const admin = await createUser(gw, { role: 'admin' })
    const denied = await gw.request('/api/tokens', { method: 'POST', token: member.token, json: { name: 'x', user_id: other.id } })
    expect(denied.status).toBe(403)
    expect((await gw.request('/api/tokens', { method: 'POST', token: admin.token, json: { name: 'x', user_id: other.id } })).status).toBe(403)
    const minted = await json(await gw.request('/api/tokens', { method: 'POST', json: { name: 'for-other', user_id: other.id } }))
    expect(minted).toMatchObject({ user_id: other.id, minted_by: 'owner', impersonation: true })
    expect((await json(await whoami(minted.token))).user_id).toBe(other.id)
    expect((await gw.request('/api/tokens', { method: 'POST', json: { name: 'x', user_id: 'ghost' } })).status).toBe(404)
  })

  it('lets the owner hold API tokens that act as the owner, with the admin role', async () => {
    const t = await json(await gw.request('/api/tokens', { method: 'POST', json: { name: 'owner-cli' } }))
    expect(await json(await whoami(t.token))).toMatchObject({ user_id: 'owner', role: 'admin', token_id: t.id })
    expect((await gw.request('/api/admin/users', { token: t.token })).status).toBe(200)
  })

  it('records last use at most once a minute, in the background', async () => {
    const member = await createUser(gw)
    const t = await json(await gw.request('/api/tokens', { method: 'POST', token: member.token, json: { name: 'usage' } }))
    await whoami(t.token)
    await (gw.services.tokens as unknown as { flush(): Promise<void> }).flush()
    const first = (await json(await gw.request('/api/tokens', { token: member.token }))).tokens.find((x: { id: string }) => x.id === t.id)
    expect(first.last_used_at).toBe(new Date(clock.now()).toISOString())
    const user = await json(await gw.request(`/api/admin/users/${member.id}`))
    expect(user.last_login_at).toBe(first.last_used_at)
  })

  it('matrix: admin, member, suspended, revoked, expired, unauthenticated', async () => {
    const admin = await createUser(gw, { role: 'admin' })
    const member = await createUser(gw)
    const suspended = await createUser(gw)
    const revoked = await createUser(gw)
    const expiring = await createUser(gw)
    const exp = await json(await gw.request('/api/tokens', { method: 'POST', token: expiring.token, json: { name: 'e', expires_in_days: 1 } }))
    await gw.request(`/api/admin/users/${suspended.id}/suspend`, { method: 'POST' })
    await gw.request(`/api/tokens/${revoked.tokenId}`, { method: 'DELETE', token: revoked.token })
    clock.advance(86_400_000)
    const cases: Array<[string, string | null, number, number]> = [
      // who, token, GET /api/profile, GET /api/admin/users
      ['owner', TEST_TOKEN, 200, 200],
      ['admin', admin.token, 200, 200],
      ['member', member.token, 200, 403],
      ['suspended', suspended.token, 401, 401],
      ['revoked', revoked.token, 401, 401],
      ['expired', exp.token, 401, 401],
      ['unauthenticated', null, 401, 401],
      ['garbage', 'f'.repeat(64), 401, 401],
    ]
    for (const [who, token, profile, admin] of cases) {
      expect((await gw.request('/api/profile', { token })).status, `${who} profile`).toBe(profile)
      expect((await gw.request('/api/admin/users', { token })).status, `${who} admin`).toBe(admin)
    }
  })

  it('does not cache a lookup that raced a revocation', async () => {
    const member = await createUser(gw)
    const tokens = gw.services.tokens as unknown as { resolve(hash: string): Promise<unknown> }
    const original = tokens.resolve.bind(tokens)
    let release!: () => void
    let read!: () => void
    const gate = new Promise<void>((r) => (release = r))
    const hasRead = new Promise<void>((r) => (read = r))
    // The lookup reads the row (still valid), then the revocation lands before it returns.
    tokens.resolve = async (hash: string) => {
      const principal = await original(hash)
      read()
      await gate
      return principal
    }
    const racing = whoami(member.token)
    await hasRead
    tokens.resolve = original
    await gw.request(`/api/tokens/${member.tokenId}`, { method: 'DELETE', token: member.token })
    release()
    expect((await racing).status).toBe(200) // it started before the revocation

    expect((await whoami(member.token)).status).toBe(401)
  })
})
