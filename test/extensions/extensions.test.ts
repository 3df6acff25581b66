import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createRuntime } from '../../adapters/node/index'
import { ToolRegistry } from '../../src/tools/tool-registry'
import { systemClock } from '../../src/lib/time'
import { createExtensionsService } from '../../src/services/extensions/create-extensions-service'
import { testGateway, waitFor } from '../support/gateway'
import { tempDir } from '../support/store'
import { createUser } from '../support/users'
import { json, manifestDir, recordEvents, stdioFixture } from './helpers'

const marker = join(tempDir('gw-ext-marker-'), 'marks.log')
const marks = () => (existsSync(marker) ? readFileSync(marker, 'utf8').split('\n').filter(Boolean) : [])

describe('extensions', async () => {
  const dir = manifestDir([
    stdioFixture('fixture', {}, { MARKER_FILE: marker }),
    stdioFixture('broken', {}, { FAIL_AT_START: '1' }),
    stdioFixture('locked', { install_policy: 'admins' }),
  ])
  process.env.GATEWAY_TEST_SENTINEL = 'must-not-reach-children'
  const gw = await testGateway({ config: { extensions: { dir } } })
  const rec = recordEvents(gw)
  afterAll(async () => {
    rec.stop()
    await gw.close()
  })
  const ctx = (userId = 'owner', signal = new AbortController().signal) => ({ userId, threadId: crypto.randomUUID(), callId: 'c1', signal })
  const install = (body: unknown, token?: string) => gw.request('/api/extensions/install', { method: 'POST', json: body, ...(token ? { token } : {}) })

  it('lists the registry with installed flags and a query filter', async () => {
    const all = await json(await gw.request('/api/extensions/registry'))
    const names = all.entries.map((e: { name: string }) => e.name)
    expect(names).toEqual(expect.arrayContaining(['filesystem', 'fetch', 'web-search', 'github', 'memory-graph', 'fixture', 'broken']))
    const entry = all.entries.find((e: { name: string }) => e.name === 'web-search')
    expect(entry).toEqual({
      name: 'web-search',
      display_name: 'Web search (Brave)',
      kind: 'mcp_server',
      description: expect.stringContaining('Brave Search API'),
      keywords: expect.arrayContaining(['search']),
      installed: false,
      transport: 'stdio',
      install_policy: 'everyone',
    })
    const search = await json(await gw.request('/api/extensions/registry?query=search'))
    expect(search.entries.map((e: { name: string }) => e.name)).toContain('web-search')
    expect((await json(await gw.request('/api/extensions/registry?query=zzqqxx'))).entries).toEqual([])
  })

  it('installs a registry extension that needs a key: not active, needs setup, asks for the token', async () => {
    rec.clear()
    const res = await install({ name: 'web-search' })
    expect(res.status).toBe(201)
    expect(await json(res)).toMatchObject({ success: true, activated: false, awaiting_token: true, instructions: expect.stringContaining('Brave Search API key') })
    expect(rec.of('auth_required', 'owner')).toEqual([expect.objectContaining({ extension_name: 'web-search', setup_url: 'https://brave.com/search/api/' })])
    const list = await json(await gw.request('/api/extensions'))
    expect(list.extensions).toEqual([
      expect.objectContaining({ name: 'web-search', kind: 'mcp_server', active: false, authenticated: false, needs_setup: true, has_auth: true, tools: [], activation_status: 'installed', source: 'registry' }),
    ])
    const setup = await json(await gw.request('/api/extensions/web-search/setup'))
    expect(setup).toEqual({ name: 'web-search', kind: 'mcp_server', secrets: [{ name: 'brave_api_key', prompt: 'Brave Search API key', optional: false, provided: false, auto_generate: false, input_type: 'password' }], fields: [] })
    expect((await json(await gw.request('/api/extensions/registry?query=brave'))).entries[0].installed).toBe(true)
    const again = await gw.request('/api/extensions/web-search/activate', { method: 'POST' })
    expect(again.status).toBe(202)
    expect(await json(again)).toMatchObject({ success: false, awaiting_token: true, activated: false })
    const dup = await install({ name: 'web-search' })
    expect(dup.status).toBe(409)
    expect(await json(dup)).toMatchObject({ success: false, error: { code: 'extension_already_installed' } })
    expect(await json(await gw.request('/api/extensions/web-search/remove', { method: 'POST' }))).toEqual({ success: true, message: "Removed 'web-search'" })
    expect((await json(await gw.request('/api/extensions'))).extensions).toEqual([])
  })

  it('refuses unknown names and kinds with clear statuses', async () => {
    expect((await install({ name: 'no-such-thing' })).status).toBe(404)
    expect((await json(await install({ name: 'Bad Name' }))).error.code).toBe('invalid_extension_name')
    expect((await install({ name: 'fixture', kind: 'wasm_tool' })).status).toBe(400)
    for (const path of ['/api/extensions/nope/activate', '/api/extensions/nope/remove']) {
      const res = await gw.request(path, { method: 'POST' })
      expect(res.status, path).toBe(404)
      expect((await json(res)).error.code).toBe('extension_not_found')
    }
    expect((await gw.request('/api/extensions/nope/setup')).status).toBe(404)
    expect((await gw.request('/api/extensions/..%2f..%2fetc/setup')).status).toBe(400)
  })

  it('activates a stdio MCP server on install and registers its namespaced tools', async () => {
    rec.clear()
    const res = await install({ name: 'fixture' })
    expect(res.status).toBe(201)
    expect(await json(res)).toMatchObject({ success: true, activated: true, message: expect.stringContaining('8 tools') })
    expect(rec.of('extension_status', 'owner')).toEqual([expect.objectContaining({ extension_name: 'fixture', status: 'active' })])
    expect(rec.events.filter((e) => e.event.type === 'extension_status').every((e) => e.userId === 'owner')).toBe(true)
    const [info] = (await json(await gw.request('/api/extensions'))).extensions
    expect(info).toMatchObject({ name: 'fixture', active: true, authenticated: true, needs_setup: false, activation_status: 'active' })
    expect(info.tools).toEqual(expect.arrayContaining(['fixture__echo', 'fixture__add', 'fixture__slow', 'fixture__crash']))
    const tools = (await json(await gw.request('/api/extensions/tools'))).tools as Array<Record<string, unknown>>
    expect(tools.find((t) => t.name === 'fixture__echo')).toEqual({ name: 'fixture__echo', description: 'Echoes the text back (from the Fixture fixture extension)', source: 'extension:fixture', requires_approval: false })
    expect(tools.find((t) => t.name === 'fixture__crash')).toMatchObject({ requires_approval: true })

    const echo = await gw.tools.get('owner', 'fixture__echo')
    expect(echo?.inputSchema).toMatchObject({ type: 'object', properties: { text: { type: 'string' } } })
    expect(await echo!.execute({ text: 'hi' }, ctx())).toEqual({ output: 'echo: hi' })
    expect(await (await gw.tools.get('owner', 'fixture__add'))!.execute({ a: 2, b: 3 }, ctx())).toEqual({ output: '5' })
    expect(await (await gw.tools.get('owner', 'fixture__fail'))!.execute({}, ctx())).toEqual({ output: 'it broke', isError: true })
    const bad = await echo!.execute({ text: 42 }, ctx())
    expect(bad.isError).toBe(true)
  })

  it('starts the server with only its declared environment, never the gateway\'s', async () => {
    const out = (await (await gw.tools.get('owner', 'fixture__env_keys'))!.execute({}, ctx())).output.split(',')
    expect(out).toContain('MARKER_FILE')
    expect(out).toContain('PATH')
    expect(out).not.toContain('GATEWAY_TEST_SENTINEL')
    expect(out.filter((k) => /^(GATEWAY_|DATABASE_URL|LLM_|OPENAI_|VITEST)/.test(k))).toEqual([])
  })

  it('cancelling a turn sends MCP cancellation to the server', async () => {
    const slow = await gw.tools.get('owner', 'fixture__slow')
    const abort = new AbortController()
    const running = slow!.execute({}, ctx('owner', abort.signal))
    await waitFor(() => marks().includes('slow:started'), 10_000, 'the slow tool to start')
    abort.abort()
    expect(await running).toEqual({ output: 'Cancelled', isError: true })
    // The server saw notifications/cancelled and its handler's signal fired.
    await waitFor(() => marks().includes('slow:cancelled'), 10_000, 'the server to see the cancellation')
  })

  it('detects a crashed server, reports it to its user, and restarts it on activate', async () => {
    rec.clear()
    await (await gw.tools.get('owner', 'fixture__crash'))!.execute({}, ctx())
    await waitFor(async () => (await json(await gw.request('/api/extensions'))).extensions[0].activation_status === 'failed', 10_000, 'the crash to be noticed')
    const [info] = (await json(await gw.request('/api/extensions'))).extensions
    expect(info).toMatchObject({ active: false, tools: [], activation_status: 'failed', activation_error: expect.stringContaining('closed') })
    // The event comes through the bus: on PostgreSQL, by LISTEN/NOTIFY, after the route has answered.
    await waitFor(() => rec.of('extension_status', 'owner').length > 0, 10_000, 'the extension_status event')
    expect(rec.of('extension_status', 'owner')).toEqual([expect.objectContaining({ extension_name: 'fixture', status: 'failed', message: expect.stringContaining('Activate it again') })])
    expect(await gw.tools.get('owner', 'fixture__echo')).toBeUndefined()
    const again = await gw.request('/api/extensions/fixture/activate', { method: 'POST' })
    expect(again.status).toBe(200)
    expect(await json(again)).toMatchObject({ success: true, activated: true })
    expect(await (await gw.tools.get('owner', 'fixture__echo'))!.execute({ text: 'back' }, ctx())).toEqual({ output: 'echo: back' })
    // Activating an active extension restarts it cleanly.
    expect((await gw.request('/api/extensions/fixture/activate', { method: 'POST' })).status).toBe(200)
  })

  it('reports a server that fails to start with its output (502, the ActionResponse body kept)', async () => {
    const res = await install({ name: 'broken' })
    expect(res.status).toBe(201)
    expect(await json(res)).toMatchObject({ success: true, activated: false, message: expect.stringContaining('Activation failed') })
    const act = await gw.request('/api/extensions/broken/activate', { method: 'POST' })
    expect(act.status).toBe(502)
    const body = await json(act)
    expect(body).toMatchObject({ success: false, activated: false, error: { code: 'extension_activation_failed' } })
    expect(body.message).toContain('refusing to start')
    const info = (await json(await gw.request('/api/extensions'))).extensions.find((e: { name: string }) => e.name === 'broken')
    expect(info).toMatchObject({ active: false, activation_status: 'failed' })
    await gw.request('/api/extensions/broken/remove', { method: 'POST' })
  })

  it('lets members install registry extensions only; custom manifests and URLs are for admins', async () => {
    const member = await createUser(gw, { display_name: 'Member' })
    const custom = stdioFixture('mine')
    for (const body of [{ name: 'mine', manifest: custom }, { name: 'remote', url: 'https://mcp.example.com/mcp' }, { name: 'locked' }, { name: 'fetch' }]) {
      const res = await install(body, member.token)
      expect(res.status, JSON.stringify(body).slice(0, 60)).toBe(403)
      expect(await json(res)).toMatchObject({ success: false, error: { code: 'forbidden' } })
    }
    expect((await json(await gw.request('/api/extensions', { token: member.token }))).extensions).toEqual([])
    // The admin may install a custom manifest; a bad one is a 400.
    expect((await json(await install({ name: 'mine', manifest: { ...custom, transport: { type: 'stdio', command: 'x', args: ['${secret:nope}'] } } }))).error.code).toBe('invalid_manifest')
    expect((await json(await install({ name: 'other', manifest: custom }))).error.code).toBe('invalid_manifest')
    const ok = await install({ name: 'mine', manifest: custom })
    expect(ok.status).toBe(201)
    expect((await json(await gw.request('/api/extensions'))).extensions.find((e: { name: string }) => e.name === 'mine')).toMatchObject({ source: 'custom', active: true })
    await gw.request('/api/extensions/mine/remove', { method: 'POST' })
  })

  it('keeps users apart: installs, tools and events', async () => {
    const ann = await createUser(gw, { display_name: 'Ann' })
    const bob = await createUser(gw, { display_name: 'Bob' })
    rec.clear()
    expect((await install({ name: 'fixture' }, ann.token)).status).toBe(201)
    expect(rec.events.filter((e) => e.event.type === 'extension_status').map((e) => e.userId)).toEqual([ann.id])
    expect((await json(await gw.request('/api/extensions', { token: bob.token }))).extensions).toEqual([])
    const bobTools = (await json(await gw.request('/api/extensions/tools', { token: bob.token }))).tools.map((t: { name: string }) => t.name)
    expect(bobTools.filter((n: string) => n.startsWith('fixture__'))).toEqual([])
    for (const [method, path] of [['POST', '/api/extensions/fixture/activate'], ['POST', '/api/extensions/fixture/remove'], ['GET', '/api/extensions/fixture/setup']] as const) {
      expect((await gw.request(path, { method, token: bob.token })).status, path).toBe(404)
    }
    expect((await json(await gw.request('/api/extensions/registry?query=fixture', { token: bob.token }))).entries.find((e: { name: string }) => e.name === 'fixture').installed).toBe(false)
    // Ann's and the owner's servers are separate processes.
    expect(await (await gw.tools.get(ann.id, 'fixture__echo'))!.execute({ text: 'ann' }, ctx(ann.id))).toEqual({ output: 'echo: ann' })

    // Deleting Ann stops her server and erases her installs.
    expect((await gw.request(`/api/admin/users/${ann.id}`, { method: 'DELETE' })).status).toBeLessThan(300)
    expect(await gw.tools.get(ann.id, 'fixture__echo')).toBeUndefined()
    expect(await gw.store!.db.selectFrom('extension_installs').select('name').where('user_id', '=', ann.id).execute()).toEqual([])
    expect(await gw.tools.get('owner', 'fixture__echo')).toBeDefined()
  })

  it('reconnects enabled extensions after a restart (a fresh subsystem on the same database)', async () => {
    // A second extensions subsystem over the same store, as after a restart or on a second
    // instance: it sees the enabled install and connects on first use of the user's tools.
    const closers: Array<() => void | Promise<void>> = []
    const tools = new ToolRegistry()
    const restarted = await createExtensionsService({
      config: gw.config,
      store: gw.store,
      hub: gw.hub,
      channel: gw.channel,
      auth: gw.auth,
      budget: gw.budget,
      runtime: createRuntime(),
      clock: systemClock,
      tools,
      runMessage: () => Promise.reject(new Error('no agent in this test')),
      onStart: () => undefined,
      onClose: (fn) => void closers.push(fn),
      onDeleteUser: () => undefined,
      deleteUserData: async () => undefined,
    }, { secrets: () => gw.services.secrets })
    try {
      expect(restarted).toBeDefined()
      const echo = await tools.get('owner', 'fixture__echo')
      expect(echo).toBeDefined()
      expect(await echo!.execute({ text: 'resumed' }, ctx())).toEqual({ output: 'echo: resumed' })
    } finally {
      for (const close of closers) await close()
    }
  })
})

describe('extensions without a database', () => {
  it('answer 503 extensions_unavailable; the tool list still works', async () => {
    const gw = await testGateway({ store: undefined })
    try {
      for (const [method, path] of [['GET', '/api/extensions'], ['GET', '/api/extensions/registry'], ['POST', '/api/extensions/x/activate']] as const) {
        const res = await gw.request(path, { method })
        expect(res.status, path).toBe(503)
        expect((await json(res)).error.code).toBe('extensions_unavailable')
      }
      expect((await gw.request('/api/extensions/install', { method: 'POST', json: { name: 'x' } })).status).toBe(503)
      expect((await gw.request('/api/extensions/tools')).status).toBe(200)
      const token = await gw.request('/api/chat/auth-token', { method: 'POST', json: { extension_name: 'x', token: 't' } })
      expect(token.status).toBe(503)
    } finally {
      await gw.close()
    }
  })
})
