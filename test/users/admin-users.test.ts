import { afterAll, describe, expect, it } from 'vitest'
import { testGateway } from '../support/gateway'
import { createUser } from '../support/users'

describe('admin: users', async () => {
  const gw = await testGateway()
  afterAll(() => gw.close())
  const json = async (res: Response) => (await res.json()) as Record<string, any>

  it('creates a member whose token works at once and is shown only in the creation response', async () => {
    const res = await gw.request('/api/admin/users', { method: 'POST', json: { display_name: ' Alice ', email: 'Alice@Example.com' } })
    expect(res.status).toBe(201)
    const created = await json(res)
    expect(created).toMatchObject({ display_name: 'Alice', email: 'alice@example.com', role: 'member', status: 'active', is_owner: false, created_by: 'owner', metadata: {} })
    expect(created.token).toMatch(/^[0-9a-f]{64}$/)
    const who = await json(await gw.request('/api/auth/whoami', { token: created.token }))
    // The first token was minted by whoever created the account, and says so.
    expect(who).toEqual({ user_id: created.id, role: 'member', display_name: 'Alice', token_id: created.token_id, minted_by: 'owner', impersonation: false })
    const fetched = await json(await gw.request(`/api/admin/users/${created.id}`))
    expect(fetched.token).toBeUndefined()
    expect(JSON.stringify(await json(await gw.request('/api/admin/users')))).not.toContain(created.token)
  })

  it('lists the owner as an admin that cannot be suspended, demoted or deleted', async () => {
    const { users } = await json(await gw.request('/api/admin/users'))
    const owner = users.find((u: { id: string }) => u.id === 'owner')
    expect(owner).toMatchObject({ role: 'admin', status: 'active', is_owner: true })
    for (const [method, path, body] of [
      ['POST', '/api/admin/users/owner/suspend', undefined],
      ['DELETE', '/api/admin/users/owner', undefined],
      ['PATCH', '/api/admin/users/owner', { role: 'member' }],
    ] as const) {
      const res = await gw.request(path, { method, ...(body ? { json: body } : {}) })
      expect(res.status, `${method} ${path}`).toBe(409)
      expect((await json(res)).error.code).toBe('owner_immutable')
    }
    const who = await json(await gw.request('/api/auth/whoami'))
    expect(who.role).toBe('admin')
  })

  it('updates display name, email, role and metadata; rejects a taken email', async () => {
    const a = await createUser(gw, { display_name: 'Bob', email: 'bob@example.com' })
    await createUser(gw, { display_name: 'Carol', email: 'carol@example.com' })
    const res = await gw.request(`/api/admin/users/${a.id}`, { method: 'PATCH', json: { display_name: 'Robert', metadata: { team: 'ops' }, role: 'admin' } })
    expect(res.status).toBe(200)
    expect(await json(res)).toMatchObject({ id: a.id, display_name: 'Robert', role: 'admin', metadata: { team: 'ops' } })
    // The role change is effective on the very next request (the cached principal is dropped).
    expect((await json(await gw.request('/api/auth/whoami', { token: a.token }))).role).toBe('admin')
    const taken = await gw.request(`/api/admin/users/${a.id}`, { method: 'PATCH', json: { email: 'CAROL@example.com' } })
    expect(taken.status).toBe(409)
    expect((await json(taken)).error.code).toBe('email_taken')
    const dup = await gw.request('/api/admin/users', { method: 'POST', json: { display_name: 'X', email: 'carol@example.com' } })
    expect(dup.status).toBe(409)
  })

  it('validates input with the error envelope', async () => {
    for (const body of [{}, { display_name: '' }, { display_name: 'x', role: 'root' }, { display_name: 'x', email: 'not-an-email' }, { display_name: 'x', metadata: [] }]) {
      const res = await gw.request('/api/admin/users', { method: 'POST', json: body })
      expect(res.status, JSON.stringify(body)).toBe(400)
      expect((await json(res)).error.code).toBe('invalid_request')
    }
    expect((await gw.request('/api/admin/users/nope')).status).toBe(404)
    expect((await gw.request('/api/admin/users/nope', { method: 'PATCH', json: {} })).status).toBe(404)
    expect((await gw.request('/api/admin/users/nope', { method: 'DELETE' })).status).toBe(404)
    expect((await gw.request('/api/admin/users/nope/suspend', { method: 'POST' })).status).toBe(404)
  })

  it('suspends (tokens fail at once) and re-activates', async () => {
    const u = await createUser(gw)
    expect((await gw.request('/api/auth/whoami', { token: u.token })).status).toBe(200)
    const res = await gw.request(`/api/admin/users/${u.id}/suspend`, { method: 'POST' })
    expect(await json(res)).toEqual({ id: u.id, status: 'suspended' })
    expect((await gw.request('/api/auth/whoami', { token: u.token })).status).toBe(401)
    expect(await json(await gw.request(`/api/admin/users/${u.id}/activate`, { method: 'POST' }))).toEqual({ id: u.id, status: 'active' })
    expect((await gw.request('/api/auth/whoami', { token: u.token })).status).toBe(200)
  })

  it('keeps an admin from suspending, demoting or deleting themselves', async () => {
    const admin = await createUser(gw, { role: 'admin' })
    for (const [method, path, body] of [
      ['POST', `/api/admin/users/${admin.id}/suspend`, undefined],
      ['DELETE', `/api/admin/users/${admin.id}`, undefined],
      ['PATCH', `/api/admin/users/${admin.id}`, { role: 'member' }],
    ] as const) {
      const res = await gw.request(path, { method, token: admin.token, ...(body ? { json: body } : {}) })
      expect(res.status, `${method} ${path}`).toBe(409)
      expect((await json(res)).error.code).toBe('cannot_modify_self')
    }
  })

  it('deletes a user and all their data, running every registered eraser', async () => {
    const disconnects: string[] = []
    const u = await createUser(gw)
    await gw.request('/api/settings/theme', { method: 'PUT', token: u.token, json: { value: 'dark' } })
    await gw.request('/api/tokens', { method: 'POST', token: u.token, json: { name: 'second' } })
    await gw.services.secrets!.set(u.id, 'api_key', 'value-to-erase-123')
    await gw.services.usage!.record({ userId: u.id, model: 'm', inputTokens: 1, outputTokens: 1, costUsd: 0.01, purpose: 'chat' })
    const off = gw.hub.bus.onControl((m) => void (m.kind === 'disconnect' && m.userId === u.id && disconnects.push(m.userId)))
    const res = await gw.request(`/api/admin/users/${u.id}`, { method: 'DELETE' })
    off()
    expect(await json(res)).toEqual({ id: u.id, deleted: true })
    expect(disconnects.length).toBeGreaterThan(0)
    expect((await gw.request('/api/auth/whoami', { token: u.token })).status).toBe(401)
    expect((await gw.request(`/api/admin/users/${u.id}`)).status).toBe(404)
    const db = gw.store!.db
    for (const table of ['api_tokens', 'settings', 'secrets', 'llm_usage'] as const) {
      const rows = await db.selectFrom(table).select('user_id').where('user_id', '=', u.id).execute()
      expect(rows, table).toEqual([])
    }
  })

  it('reports usage per user and model for a day, week or month', async () => {
    const u = await createUser(gw, { display_name: 'Spender' })
    const usage = gw.services.usage!
    await usage.record({ userId: u.id, model: 'gpt-x', inputTokens: 100, outputTokens: 10, costUsd: 0.25, purpose: 'chat' })
    await usage.record({ userId: u.id, model: 'gpt-x', inputTokens: 50, outputTokens: 5, costUsd: 0.125, purpose: 'chat' })
    await usage.record({ userId: u.id, model: 'claude-y', inputTokens: 7, outputTokens: 3, costUsd: 0.001, purpose: 'proxy' })
    const res = await gw.request(`/api/admin/usage?period=week&user_id=${u.id}`)
    expect(res.status).toBe(200)
    const report = await json(res)
    expect(report.period).toBe('week')
    expect(Date.parse(report.since)).toBeLessThan(Date.now() - 6 * 86_400_000)
    expect(report.usage).toEqual([
      { user_id: u.id, model: 'claude-y', call_count: 1, input_tokens: 7, output_tokens: 3, total_cost: '0.001000' },
      { user_id: u.id, model: 'gpt-x', call_count: 2, input_tokens: 150, output_tokens: 15, total_cost: '0.375000' },
    ])
    expect(report.users).toEqual([{ user_id: u.id, display_name: 'Spender', call_count: 3, input_tokens: 157, output_tokens: 18, total_cost: '0.376000' }])
    expect((await json(await gw.request('/api/admin/usage'))).period).toBe('day')
    expect((await gw.request('/api/admin/usage?period=year')).status).toBe(400)
  })

  it('answers members 403 on every admin route and method, with no side effect; no token 401', async () => {
    const member = await createUser(gw)
    const victim = await createUser(gw, { display_name: 'Victim' })
    const routes: Array<[string, string, unknown?]> = [
      ['POST', '/api/admin/users', { display_name: 'Mallory', role: 'admin' }],
      ['GET', '/api/admin/users'],
      ['GET', `/api/admin/users/${victim.id}`],
      ['PATCH', `/api/admin/users/${victim.id}`, { display_name: 'pwned' }],
      ['DELETE', `/api/admin/users/${victim.id}`],
      ['POST', `/api/admin/users/${victim.id}/suspend`],
      ['POST', `/api/admin/users/${victim.id}/activate`],
      ['GET', '/api/admin/usage'],
      ['GET', `/api/admin/users/${victim.id}/secrets`],
      ['PUT', `/api/admin/users/${victim.id}/secrets/x`, { value: 'v' }],
      ['DELETE', `/api/admin/users/${victim.id}/secrets/x`],
      ['GET', '/api/admin/anything'],
      ['GET', '/api/pairing/telegram'],
      ['POST', '/api/pairing/telegram/approve', { code: 'ABCDEFGH' }],
      ['GET', '/api/logs/level'],
      ['PUT', '/api/logs/level', { level: 'debug' }],
      ['GET', '/api/logs/events'],
    ]
    const before = await json(await gw.request('/api/admin/users'))
    for (const [method, path, body] of routes) {
      const asMember = await gw.request(path, { method, token: member.token, ...(body ? { json: body } : {}) })
      expect(asMember.status, `member ${method} ${path}`).toBe(403)
      expect((await json(asMember)).error.code).toBe('forbidden')
      const anonymous = await gw.request(path, { method, token: null, ...(body ? { json: body } : {}) })
      expect(anonymous.status, `anonymous ${method} ${path}`).toBe(401)
    }
    expect(await json(await gw.request('/api/admin/users'))).toEqual(before)
    expect((await gw.request('/api/auth/whoami', { token: victim.token })).status).toBe(200)
  })

  it('answers 503 users_unavailable without a database', async () => {
    const bare = await testGateway({ store: undefined })
    const res = await bare.request('/api/admin/users')
    expect(res.status).toBe(503)
    expect((await json(res)).error.code).toBe('users_unavailable')
    expect((await bare.request('/api/tokens')).status).toBe(503)
    expect((await bare.request('/api/settings')).status).toBe(503)
    await bare.close()
  })
})
