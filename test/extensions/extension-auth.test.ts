import { afterAll, describe, expect, it } from 'vitest'
import { testGateway, startTestServer } from '../support/gateway'
import { startMcpHttpServer } from '../support/mcp-http'
import { createUser } from '../support/users'
import { WsClient } from '../support/ws-client'
import { json, manifestDir, recordEvents, stdioFixture } from './helpers'

const GOOD = 'tok-good-1234567890'

describe('extension credentials', async () => {
  const mcp = await startMcpHttpServer({ accepts: (token) => token === GOOD })
  const dir = manifestDir([
    stdioFixture(
      'keyed',
      {
        secrets: [
          { name: 'fixture_token', prompt: 'Fixture token' },
          { name: 'webhook_secret', prompt: 'Generated', auto_generate: true },
        ],
        fields: [{ name: 'region', prompt: 'Region', optional: true, default: 'eu' }],
        auth: { token_secret: 'fixture_token', instructions: 'Paste your fixture token', setup_url: 'https://fixture.example/tokens' },
      },
      { FIXTURE_TOKEN: '${secret:fixture_token}' },
    ),
    stdioFixture('configured', { fields: [{ name: 'workdir', prompt: 'Folder name' }], secrets: [{ name: 'api_secret', prompt: 'API secret' }] }),
    {
      name: 'remote',
      display_name: 'Remote fixture',
      description: 'A Streamable HTTP MCP server',
      transport: { type: 'http', url: mcp.url, headers: { Authorization: 'Bearer ${secret:remote_token}' } },
      secrets: [{ name: 'remote_token', prompt: 'Remote token' }],
      tools: { requires_approval: false },
    },
  ])
  const gw = await testGateway({ config: { extensions: { dir } } })
  const rec = recordEvents(gw)
  afterAll(async () => {
    rec.stop()
    await gw.close()
    await mcp.close()
  })
  const ctx = (userId = 'owner') => ({ userId, threadId: crypto.randomUUID(), callId: 'c', signal: new AbortController().signal })

  it('asks for a token in chat and completes with auth-token; the server gets it through its environment', async () => {
    rec.clear()
    const installed = await gw.request('/api/extensions/install', { method: 'POST', json: { name: 'keyed' } })
    expect(await json(installed)).toMatchObject({ success: true, activated: false, awaiting_token: true, instructions: 'Paste your fixture token' })
    expect(rec.of('auth_required', 'owner')).toEqual([{ type: 'auth_required', extension_name: 'keyed', instructions: 'Paste your fixture token', setup_url: 'https://fixture.example/tokens' }])

    const res = await gw.request('/api/chat/auth-token', { method: 'POST', json: { extension_name: 'keyed', token: 'sekret-42' } })
    expect(res.status).toBe(200)
    expect(await json(res)).toMatchObject({ success: true, activated: true })
    expect(rec.of('auth_completed', 'owner')).toEqual([expect.objectContaining({ extension_name: 'keyed', success: true })])
    expect((await (await gw.tools.get('owner', 'keyed__whoami'))!.execute({}, ctx())).output).toBe('token=sekret-42')
    // The auto-generated secret was created; no route shows a value.
    const setup = await json(await gw.request('/api/extensions/keyed/setup'))
    expect(setup.secrets).toEqual([
      expect.objectContaining({ name: 'fixture_token', provided: true, input_type: 'password' }),
      expect.objectContaining({ name: 'webhook_secret', provided: true, auto_generate: true }),
    ])
    expect(setup.fields).toEqual([{ name: 'region', prompt: 'Region', optional: true, provided: false, input_type: 'text' }])
    expect(JSON.stringify(await json(await gw.request('/api/extensions')))).not.toContain('sekret-42')
  })

  it('setup saves secrets and fields, keeps stored values for empty ones, refuses unknown names', async () => {
    rec.clear()
    const unknown = await gw.request('/api/extensions/keyed/setup', { method: 'POST', json: { secrets: { nope: 'x' } } })
    expect(unknown.status).toBe(400)
    expect(await json(unknown)).toMatchObject({ success: false, error: { code: 'unknown_setup_field' } })
    expect((await gw.request('/api/extensions/keyed/setup', { method: 'POST', json: { fields: { nope: 'x' } } })).status).toBe(400)
    const res = await gw.request('/api/extensions/keyed/setup', { method: 'POST', json: { secrets: { fixture_token: '' }, fields: { region: 'us' } } })
    expect(res.status).toBe(200)
    expect(await json(res)).toMatchObject({ success: true, activated: true })
    expect(rec.of('auth_completed', 'owner')).toEqual([expect.objectContaining({ extension_name: 'keyed', success: true })])
    const setup = await json(await gw.request('/api/extensions/keyed/setup'))
    expect(setup.secrets.map((s: { provided: boolean }) => s.provided)).toEqual([true, true])
    expect(setup.fields[0].provided).toBe(true)
    expect((await (await gw.tools.get('owner', 'keyed__whoami'))!.execute({}, ctx())).output).toBe('token=sekret-42')
    expect(await gw.services.secrets!.get('owner', 'webhook_secret')).toMatch(/^[0-9a-f]{64}$/)
  })

  it('activating before setup is a 409 naming what is missing; setup then activates', async () => {
    const res = await gw.request('/api/extensions/install', { method: 'POST', json: { name: 'configured' } })
    expect(await json(res)).toMatchObject({ success: true, activated: false, message: expect.stringContaining('needs setup: api_secret, workdir') })
    const act = await gw.request('/api/extensions/configured/activate', { method: 'POST' })
    expect(act.status).toBe(409)
    expect(await json(act)).toMatchObject({ success: false, activated: false, error: { code: 'extension_needs_setup' }, message: expect.stringContaining('api_secret') })
    expect((await json(await gw.request('/api/extensions'))).extensions.find((e: { name: string }) => e.name === 'configured')).toMatchObject({ needs_setup: true, authenticated: false })
    const half = await gw.request('/api/extensions/configured/setup', { method: 'POST', json: { secrets: { api_secret: 's' } } })
    expect(half.status).toBe(409)
    const done = await gw.request('/api/extensions/configured/setup', { method: 'POST', json: { fields: { workdir: 'docs' } } })
    expect(done.status).toBe(200)
    expect((await json(await gw.request('/api/extensions'))).extensions.find((e: { name: string }) => e.name === 'configured')).toMatchObject({ needs_setup: false, authenticated: true, active: true })
    await gw.request('/api/extensions/configured/remove', { method: 'POST' })
  })

  it('reports the real outcome of auth-token: a token that does not activate is a failure', async () => {
    await gw.request('/api/extensions/install', { method: 'POST', json: { name: 'remote' } })
    rec.clear()
    const bad = await gw.request('/api/chat/auth-token', { method: 'POST', json: { extension_name: 'remote', token: 'wrong' } })
    expect(bad.status).toBe(502)
    expect(await json(bad)).toMatchObject({ success: false, activated: false, error: { code: 'extension_auth_rejected' } })
    expect(rec.of('auth_completed', 'owner')).toEqual([expect.objectContaining({ extension_name: 'remote', success: false })])
    const good = await gw.request('/api/chat/auth-token', { method: 'POST', json: { extension_name: 'remote', token: GOOD } })
    expect(good.status).toBe(200)
    expect(await json(good)).toMatchObject({ success: true, activated: true })
    const lookup = await gw.tools.get('owner', 'remote__lookup')
    expect(await lookup!.execute({ word: 'gateway' }, ctx())).toEqual({ output: 'gateway: a word' })
    expect(await (await gw.tools.get('owner', 'remote__stats'))!.execute({}, ctx())).toEqual({ output: '{"count":3}' })
    expect(mcp.calls.at(-1)?.authorization).toBe(`Bearer ${GOOD}`)
    const info = (await json(await gw.request('/api/extensions'))).extensions.find((e: { name: string }) => e.name === 'remote')
    expect(info).toMatchObject({ url: mcp.url, transport: 'http', active: true, tools: ['remote__lookup', 'remote__stats'] })
  })

  it('auth-token and auth-cancel validate the extension; a token is only for extensions that take one', async () => {
    expect((await gw.request('/api/chat/auth-token', { method: 'POST', json: { extension_name: 'ghost', token: 't' } })).status).toBe(404)
    rec.clear()
    const cancel = await gw.request('/api/chat/auth-cancel', { method: 'POST', json: { extension_name: 'remote' } })
    expect(await json(cancel)).toEqual({ success: true, message: 'Auth cancelled' })
    expect(rec.of('auth_completed', 'owner')).toEqual([{ type: 'auth_completed', extension_name: 'remote', success: false, message: 'Auth cancelled' }])
    expect((await gw.request('/api/chat/auth-cancel', { method: 'POST', json: { extension_name: 'ghost' } })).status).toBe(404)
  })

  it('lets an admin install a Streamable HTTP server by URL', async () => {
    const member = await createUser(gw)
    expect((await gw.request('/api/extensions/install', { method: 'POST', json: { name: 'by-url', url: mcp.url }, token: member.token })).status).toBe(403)
    const res = await gw.request('/api/extensions/install', { method: 'POST', json: { name: 'by-url', url: mcp.url } })
    expect(res.status).toBe(201)
    // No credentials configured: the server refuses, and the install says so.
    expect(await json(res)).toMatchObject({ success: true, activated: false, message: expect.stringContaining('refused the credentials') })
    expect((await gw.request('/api/extensions/install', { method: 'POST', json: { name: 'bad-url', url: 'ftp://x' } })).status).toBe(400)
  })
})

describe('auth_token over WebSocket', () => {
  it('runs the same command: an error frame or an ack with the outcome', async () => {
    const mcp = await startMcpHttpServer({ accepts: (token) => token === GOOD })
    const dir = manifestDir([
      {
        name: 'remote',
        display_name: 'Remote',
        description: 'HTTP fixture',
        transport: { type: 'http', url: mcp.url, headers: { Authorization: 'Bearer ${secret:remote_token}' } },
        secrets: [{ name: 'remote_token', prompt: 'Token' }],
      },
    ])
    const server = await startTestServer({ config: { extensions: { dir } } })
    const ws = await WsClient.connect(`${server.wsUrl}/api/chat/ws`, { headers: server.auth, origin: server.origin })
    try {
      const res = await fetch(`${server.url}/api/extensions/install`, { method: 'POST', headers: { ...server.auth, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'remote' }) })
      expect(res.status).toBe(201)
      ws.send({ type: 'auth_token', extension_name: 'remote', token: 'nope', id: 'a1' })
      const failed = await ws.next((m) => m.type === 'error' && m.id === 'a1')
      expect(String(failed.message)).toMatch(/refused the credentials/)
      ws.send({ type: 'auth_token', extension_name: 'remote', token: GOOD, id: 'a2' })
      const ack = await ws.next((m) => m.type === 'ack' && m.id === 'a2')
      expect(ack).toMatchObject({ type: 'ack', id: 'a2' })
      const done = await ws.next((m) => m.type === 'event' && m.event_type === 'auth_completed' && (m.data as { success?: boolean }).success === true)
      expect(done.data).toMatchObject({ extension_name: 'remote', success: true })
    } finally {
      ws.close()
      await server.close()
      await mcp.close()
    }
  })
})

describe('extensions with secrets disabled', () => {
  it('setup answers 503 secrets_unavailable instead of losing the value', async () => {
    const dir = manifestDir([stdioFixture('keyed', { secrets: [{ name: 'k', prompt: 'K' }] })])
    const gw = await testGateway({ config: { extensions: { dir } }, services: { secrets: undefined } })
    try {
      await gw.request('/api/extensions/install', { method: 'POST', json: { name: 'keyed' } })
      const res = await gw.request('/api/extensions/keyed/setup', { method: 'POST', json: { secrets: { k: 'v' } } })
      expect(res.status).toBe(503)
      expect(await json(res)).toMatchObject({ success: false, error: { code: 'secrets_unavailable' } })
    } finally {
      await gw.close()
    }
  })
})
