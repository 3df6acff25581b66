import { afterAll, describe, expect, it } from 'vitest'
import { createNodeRuntime } from '../../adapters/node/index'
import { testGateway } from '../support/gateway'
import { createUser } from '../support/users'

/**
 * Issue 19, defect 1: a non-owner admin could mint itself a token of the owner (or of any
 * member) and become them. One rule now decides who reaches another account (`assertReach`):
 * the owner alone impersonates, and such tokens are marked and listed to everyone concerned;
 * no admin reaches the owner's account, secrets or tokens.
 */
describe('impersonation and the owner out of admins\' reach', async () => {
  const gw = await testGateway({ config: { masterKey: 'k'.repeat(40) }, runtime: createNodeRuntime() })
  afterAll(() => gw.close())
  const json = async (res: Response) => (await res.json()) as Record<string, any>
  const whoami = async (token: string) => json(await gw.request('/api/auth/whoami', { token }))

  it('refuses every admin a token of the owner or of another user (403), and mints nothing', async () => {
    const admin = await createUser(gw, { role: 'admin' })
    const member = await createUser(gw)
    for (const user_id of ['owner', member.id]) {
      const res = await gw.request('/api/tokens', { method: 'POST', token: admin.token, json: { name: 'x', user_id } })
      expect(res.status, user_id).toBe(403)
      expect((await json(res)).error.code).toBe('impersonation_forbidden')
    }
    // Through a pairing too: a sender bound to the owner would speak as the owner.
    const pairing = gw.services.pairing!
    const request = await pairing.request('telegram', 'tg:evil')
    if (request.status !== 'pending') throw new Error('expected a pending request')
    const paired = await gw.request('/api/pairing/telegram/approve', { method: 'POST', token: admin.token, json: { code: request.code, user_id: 'owner' } })
    expect(paired.status).toBe(403)
    expect(await pairing.lookup('telegram', 'tg:evil')).toBeUndefined()
    const rows = await gw.store!.db.selectFrom('api_tokens').select('user_id').where('minted_by', '=', admin.id).execute()
    expect(rows).toEqual([])
    expect((await json(await gw.request('/api/tokens'))).tokens.every((t: { minted_by: string | null }) => t.minted_by !== admin.id)).toBe(true)
  })

  it("keeps the owner's account, secrets and tokens out of every other admin's reach", async () => {
    const admin = await createUser(gw, { role: 'admin' })
    await gw.request('/api/admin/users/owner/secrets/openai', { method: 'PUT', json: { value: 'sk-owner-secret-value' } })
    const attempts: Array<[string, string, unknown?]> = [
      ['PATCH', '/api/admin/users/owner', { display_name: 'pwned', email: 'evil@example.com' }],
      ['POST', '/api/admin/users/owner/suspend'],
      ['POST', '/api/admin/users/owner/activate'],
      ['DELETE', '/api/admin/users/owner'],
      ['GET', '/api/admin/users/owner/secrets'],
      ['PUT', '/api/admin/users/owner/secrets/openai', { value: 'sk-attacker-controlled' }],
      ['DELETE', '/api/admin/users/owner/secrets/openai'],
      ['GET', '/api/admin/users/owner/tokens'],
    ]
    for (const [method, path, body] of attempts) {
      const res = await gw.request(path, { method, token: admin.token, ...(body ? { json: body } : {}) })
      expect(res.status, `${method} ${path}`).toBe(403)
      expect((await json(res)).error.code, `${method} ${path}`).toBe('owner_protected')
    }
    expect(await gw.services.secrets!.get('owner', 'openai')).toBe('sk-owner-secret-value')
    expect((await json(await gw.request('/api/profile'))).display_name).toBeNull()
    // Admins still manage members; the owner still manages itself and everyone.
    const member = await createUser(gw)
    expect((await gw.request(`/api/admin/users/${member.id}`, { method: 'PATCH', token: admin.token, json: { display_name: 'Renamed' } })).status).toBe(200)
    expect((await gw.request(`/api/admin/users/${member.id}/secrets/k`, { method: 'PUT', token: admin.token, json: { value: 'v-member' } })).status).toBe(201)
    expect((await gw.request('/api/admin/users/owner', { method: 'PATCH', json: { display_name: 'Owner' } })).status).toBe(200)
    expect((await gw.request(`/api/admin/users/${admin.id}/tokens`)).status).toBe(200)
  })

  it('marks an impersonation token and lists it to the owner, the user and the admins; either side revokes it', async () => {
    const member = await createUser(gw, { display_name: 'Mia' })
    const minted = await json(await gw.request('/api/tokens', { method: 'POST', json: { name: 'debugging Mia', user_id: member.id } }))
    expect(minted).toMatchObject({ user_id: member.id, minted_by: 'owner', impersonation: true })
    expect(await whoami(minted.token)).toMatchObject({ user_id: member.id, role: 'member', token_id: minted.id, minted_by: 'owner', impersonation: true })
    // An account's first token names its creator too, but is the user's own: whoami tells them apart.
    expect(await whoami(member.token)).toMatchObject({ user_id: member.id, minted_by: 'owner', impersonation: false })

    const listed = (list: Record<string, any>) => list.tokens.find((t: { id: string }) => t.id === minted.id)
    expect(listed(await json(await gw.request('/api/tokens', { token: member.token })))).toMatchObject({ minted_by: 'owner', impersonation: true })
    expect(listed(await json(await gw.request('/api/tokens')))).toMatchObject({ user_id: member.id, impersonation: true })
    const admin = await createUser(gw, { role: 'admin' })
    const adminView = await json(await gw.request(`/api/admin/users/${member.id}/tokens`, { token: admin.token }))
    expect(adminView.user_id).toBe(member.id)
    expect(listed(adminView)).toMatchObject({ minted_by: 'owner', impersonation: true })
    expect(JSON.stringify(adminView)).not.toContain(minted.token)
    // A token Mia minted herself is not impersonation (her first token names its creator, but is hers).
    const own = await json(await gw.request('/api/tokens', { method: 'POST', token: member.token, json: { name: 'laptop' } }))
    expect(own).toMatchObject({ minted_by: null, impersonation: false })
    const first = (await json(await gw.request('/api/tokens', { token: member.token }))).tokens.find((t: { name: string }) => t.name === 'initial')
    expect(first).toMatchObject({ minted_by: 'owner', impersonation: false })
    // What the impersonation token mints stays marked: the owner cannot shed the mark that way.
    const laundered = await json(await gw.request('/api/tokens', { method: 'POST', token: minted.token, json: { name: 'quiet' } }))
    expect(laundered).toMatchObject({ user_id: member.id, minted_by: 'owner', impersonation: true })
    expect(await whoami(laundered.token)).toMatchObject({ user_id: member.id, minted_by: 'owner' })
    expect((await gw.request(`/api/tokens/${laundered.id}`, { method: 'DELETE', token: member.token })).status).toBe(200)

    // The user revokes it (it is in their list); the minter could too.
    expect((await gw.request(`/api/tokens/${minted.id}`, { method: 'DELETE', token: member.token })).status).toBe(200)
    expect((await gw.request('/api/auth/whoami', { token: minted.token })).status).toBe(401)
    const again = await json(await gw.request('/api/tokens', { method: 'POST', json: { name: 'again', user_id: member.id } }))
    expect((await gw.request(`/api/tokens/${again.id}`, { method: 'DELETE' })).status).toBe(200)
    expect((await gw.request('/api/auth/whoami', { token: again.token })).status).toBe(401)
  })
})
