import { afterAll, describe, expect, it } from 'vitest'
import { testGateway } from '../support/gateway'
import { createUser } from '../support/users'

describe('profile and settings', async () => {
  const gw = await testGateway()
  afterAll(() => gw.close())
  const json = async (res: Response) => (await res.json()) as Record<string, any>
  const put = (key: string, value: unknown, token?: string) => gw.request(`/api/settings/${key}`, { method: 'PUT', json: { value }, ...(token ? { token } : {}) })

  describe('profile', () => {
    it("shows the owner's profile from its start-up row, and whoami picks up the display name", async () => {
      const profile = await json(await gw.request('/api/profile'))
      expect(profile).toMatchObject({ id: 'owner', role: 'admin', status: 'active', is_owner: true, display_name: null, metadata: {} })
      expect(profile).not.toHaveProperty('created_by')
      const res = await gw.request('/api/profile', { method: 'PATCH', json: { display_name: 'The Owner', metadata: { theme: 'dark' } } })
      expect(await json(res)).toMatchObject({ id: 'owner', display_name: 'The Owner', metadata: { theme: 'dark' } })
      expect((await json(await gw.request('/api/auth/whoami'))).display_name).toBe('The Owner')
    })

    it('lets a member edit only their own name and metadata', async () => {
      const m = await createUser(gw, { display_name: 'Member' })
      const res = await gw.request('/api/profile', { method: 'PATCH', token: m.token, json: { display_name: 'Renamed', role: 'admin', metadata: { lang: 'fr' } } })
      expect(res.status).toBe(200)
      const profile = await json(res)
      expect(profile).toMatchObject({ id: m.id, display_name: 'Renamed', role: 'member', metadata: { lang: 'fr' } })
      expect((await json(await gw.request('/api/auth/whoami', { token: m.token }))).display_name).toBe('Renamed')
      expect((await json(await gw.request('/api/profile'))).id).toBe('owner')
      for (const body of [{ display_name: '' }, { metadata: 'x' }, { metadata: { big: 'x'.repeat(17_000) } }]) {
        expect((await gw.request('/api/profile', { method: 'PATCH', token: m.token, json: body })).status, JSON.stringify(body).slice(0, 40)).toBe(400)
      }
    })

    it('keeps __proto__ in metadata inert', async () => {
      const res = await gw.request('/api/profile', {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: '{"metadata":{"__proto__":{"isAdmin":true},"constructor":{"prototype":{"isAdmin":true}}}}',
      })
      expect(res.status).toBe(200)
      const profile = await json(res)
      expect(Object.keys(profile.metadata)).toEqual(['constructor'])
      expect(({} as Record<string, unknown>).isAdmin).toBeUndefined()
    })
  })

  describe('settings', () => {
    it('stores JSON values per key and lists them by key', async () => {
      const u = await createUser(gw)
      expect((await put('theme', 'dark', u.token)).status).toBe(204)
      expect((await put('agent.max_steps', 12, u.token)).status).toBe(204)
      expect((await put('ui:layout', { panes: [1, 2], wide: true, note: null }, u.token)).status).toBe(204)
      const one = await json(await gw.request('/api/settings/ui:layout', { token: u.token }))
      expect(one).toMatchObject({ key: 'ui:layout', value: { panes: [1, 2], wide: true, note: null } })
      expect(one.updated_at).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/)
      const list = await json(await gw.request('/api/settings', { token: u.token }))
      expect(list.settings.map((s: { key: string }) => s.key)).toEqual(['agent.max_steps', 'theme', 'ui:layout'])
      expect(await json(await gw.request('/api/settings/export', { token: u.token }))).toEqual({
        settings: { 'agent.max_steps': 12, theme: 'dark', 'ui:layout': { panes: [1, 2], wide: true, note: null } },
      })
      expect((await put('theme', 'light', u.token)).status).toBe(204)
      expect((await json(await gw.request('/api/settings/theme', { token: u.token }))).value).toBe('light')
    })

    it('answers 404 for a missing key, on read and on delete', async () => {
      const u = await createUser(gw)
      const res = await gw.request('/api/settings/nope', { token: u.token })
      expect(res.status).toBe(404)
      expect((await json(res)).error.code).toBe('setting_not_found')
      expect((await gw.request('/api/settings/nope', { method: 'DELETE', token: u.token })).status).toBe(404)
      await put('gone', 1, u.token)
      expect((await gw.request('/api/settings/gone', { method: 'DELETE', token: u.token })).status).toBe(204)
      expect((await gw.request('/api/settings/gone', { token: u.token })).status).toBe(404)
    })

    it('validates keys and values', async () => {
      for (const key of ['__proto__', '_x', '.hidden', 'a%20b', 'x'.repeat(129), 'a%2Fb']) {
        const res = await put(key, 1)
        expect(res.status, key).toBe(400)
        expect((await json(res)).error.code).toBe('invalid_param')
      }
      expect((await gw.request('/api/settings/__proto__')).status).toBe(400)
      expect((await gw.request('/api/settings/k', { method: 'PUT', json: {} })).status).toBe(400)
      expect((await gw.request('/api/settings/k', { method: 'PUT', json: { value: 'x'.repeat(70_000) } })).status).toBe(400)
      expect((await gw.request('/api/settings/k', { method: 'PUT', body: '{"value":1}', headers: { 'content-type': 'text/plain' } })).status).toBe(415)
      expect((await gw.request('/api/settings/k', { method: 'PUT', body: '{"value":', headers: { 'content-type': 'application/json' } })).status).toBe(400)
    })

    it('imports by merging, or replacing with ?mode=replace', async () => {
      const u = await createUser(gw)
      await put('keep', 'me', u.token)
      await put('theme', 'dark', u.token)
      const merged = await gw.request('/api/settings/import', { method: 'POST', token: u.token, json: { settings: { theme: 'light', lang: 'fr' } } })
      expect(merged.status).toBe(204)
      expect((await json(await gw.request('/api/settings/export', { token: u.token }))).settings).toEqual({ keep: 'me', theme: 'light', lang: 'fr' })
      const replaced = await gw.request('/api/settings/import?mode=replace', { method: 'POST', token: u.token, json: { settings: { only: true } } })
      expect(replaced.status).toBe(204)
      expect((await json(await gw.request('/api/settings/export', { token: u.token }))).settings).toEqual({ only: true })
      expect((await gw.request('/api/settings/import?mode=wipe', { method: 'POST', token: u.token, json: { settings: {} } })).status).toBe(400)
    })

    it('imports all or nothing', async () => {
      const u = await createUser(gw)
      await put('before', 1, u.token)
      // A bad key anywhere rejects the whole import before anything is written.
      const bad = await gw.request('/api/settings/import?mode=replace', { method: 'POST', token: u.token, json: { settings: { good: 1, 'bad key': 2 } } })
      expect(bad.status).toBe(400)
      expect((await json(await gw.request('/api/settings/export', { token: u.token }))).settings).toEqual({ before: 1 })
      // A failure half-way through the transaction rolls back the writes before it.
      const settings = gw.services.settings!
      const db = gw.store!.db
      // (A BigInt cannot be serialised: the second write throws after the delete and the first write.)
      await expect(settings.import(u.id, { a: 1, b: 10n }, 'replace')).rejects.toThrow()
      const rows = await db.selectFrom('settings').select('key').where('user_id', '=', u.id).execute()
      expect(rows.map((r) => r.key)).toEqual(['before'])
    })

    it('keeps __proto__ and constructor.prototype inert in import and export', async () => {
      const u = await createUser(gw)
      const res = await gw.request('/api/settings/import', {
        method: 'POST',
        token: u.token,
        headers: { 'content-type': 'application/json' },
        body: '{"settings":{"__proto__":{"isAdmin":true},"constructor":{"prototype":{"isAdmin":true}},"ok":1}}',
      })
      expect(res.status).toBe(204)
      const exported = await json(await gw.request('/api/settings/export', { token: u.token }))
      expect(Object.keys(exported.settings).sort()).toEqual(['constructor', 'ok'])
      expect(({} as Record<string, unknown>).isAdmin).toBeUndefined()
      expect(Object.getPrototypeOf(exported.settings)).toBe(Object.prototype)
    })

    it("isolates users: another user's keys are invisible and answer 404", async () => {
      const alice = await createUser(gw)
      const bob = await createUser(gw)
      await put('secret-plan', 'world domination', alice.token)
      expect((await gw.request('/api/settings/secret-plan', { token: bob.token })).status).toBe(404)
      expect((await gw.request('/api/settings/secret-plan', { method: 'DELETE', token: bob.token })).status).toBe(404)
      expect((await json(await gw.request('/api/settings', { token: bob.token }))).settings).toEqual([])
      expect((await json(await gw.request('/api/settings/export', { token: bob.token }))).settings).toEqual({})
      await gw.request('/api/settings/import?mode=replace', { method: 'POST', token: bob.token, json: { settings: { mine: 1 } } })
      expect((await json(await gw.request('/api/settings/secret-plan', { token: alice.token }))).value).toBe('world domination')
    })
  })

  /** Issue 19, defect 5: 10 KB nested 5,000 deep overflowed the validator's stack (500). */
  it('answers JSON nested deeper than 64 levels with 400 invalid_request, and takes 64', async () => {
    const nest = (levels: number) => '['.repeat(levels) + ']'.repeat(levels)
    const requests: Array<[string, string, (deep: string) => string]> = [
      ['PUT', '/api/settings/deep', (deep) => `{"value":${deep}}`],
      ['POST', '/api/settings/import', (deep) => `{"settings":{"deep":${deep}}}`],
      ['PATCH', '/api/profile', (deep) => `{"metadata":{"deep":${deep}}}`],
    ]
    for (const [method, path, body] of requests) {
      const res = await gw.request(path, { method, body: body(nest(5_000)), headers: { 'content-type': 'application/json' } })
      expect(res.status, path).toBe(400)
      expect(((await res.json()) as { error: { code: string } }).error.code, path).toBe('invalid_request')
    }
    // 64 in all: the body's object, then 63 arrays.
    const ok = await gw.request('/api/settings/deep', { method: 'PUT', body: `{"value":${nest(63)}}`, headers: { 'content-type': 'application/json' } })
    expect(ok.status).toBe(204)
    const over = await gw.request('/api/settings/deep', { method: 'PUT', body: `{"value":${nest(64)}}`, headers: { 'content-type': 'application/json' } })
    expect(over.status).toBe(400)
    // Brackets inside strings are text, not nesting.
    expect((await gw.request('/api/settings/text', { method: 'PUT', json: { value: '['.repeat(10_000) } })).status).toBe(204)
  })
})
