import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, describe, expect, it } from 'vitest'
import { makeZip, skillMd } from '../support/archives'
import { httpServer } from '../support/fake-net'
import { testGateway } from '../support/gateway'

const CONFIRM = { 'x-confirm-action': 'true' }
const json = async (res: Response) => (await res.json()) as Record<string, any>
const SKILL = skillMd({ name: 'standup', description: 'Write my daily standup', version: '1.0.0', keywords: ['standup'] }, 'Three bullets.')

/**
 * Issue 19: the operator's skill registry (`GATEWAY_SKILLS_REGISTRY_URL`) on loopback or the LAN
 * was refused as "not a public address". It is the operator's choice: a real registry server on
 * 127.0.0.1 and the runtime's real resolver and sockets here. Redirects from it to other private
 * hosts, and every user-supplied URL elsewhere, stay refused.
 */
describe('a skill registry on loopback', async () => {
  // Another private host the registry points at: it must never be reached.
  const hits: string[] = []
  const inner: Server = createServer((req, res) => {
    hits.push(req.url ?? '')
    res.end(SKILL)
  })
  await new Promise<void>((resolve) => inner.listen(0, '127.0.0.1', resolve))
  const innerPort = (inner.address() as AddressInfo).port
  const registry = await httpServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    if (url.pathname === '/api/v1/search') {
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ results: [{ slug: 'standup', displayName: 'Standup', summary: 'Write my daily standup', version: '1.0.0' }] }))
    }
    if (url.pathname === '/api/v1/skills/standup') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ skill: { stats: { stars: 3, downloads: 9 } }, owner: { handle: 'ops' } }))
    if (url.pathname === '/api/v1/download' && url.searchParams.get('slug') === 'standup') {
      return void makeZip([{ name: 'SKILL.md', data: SKILL }]).then((zip) => res.writeHead(200, { 'content-type': 'application/zip' }).end(zip))
    }
    if (url.pathname === '/files/standup.md') return void res.writeHead(200, { 'content-type': 'text/markdown' }).end(SKILL)
    if (url.pathname === '/api/v1/download' && url.searchParams.get('slug') === 'elsewhere') {
      return void res.writeHead(302, { location: `http://127.0.0.1:${innerPort}/SKILL.md` }).end()
    }
    if (url.pathname === '/bounce') return void res.writeHead(302, { location: `http://10.0.0.7/SKILL.md` }).end()
    res.writeHead(404).end()
  })
  const registryUrl = `http://127.0.0.1:${registry.port}`
  // The node runtime's own resolver and pinned fetch: nothing faked between the gateway and loopback.
  const gw = await testGateway({ config: { skills: { registryUrl, downloadTimeoutMs: 3_000 } } })
  afterAll(async () => {
    await gw.close()
    await registry.close()
    await new Promise<void>((resolve) => inner.close(() => resolve()))
  })
  const install = (body: Record<string, unknown>) => gw.request('/api/skills/install', { method: 'POST', json: body, headers: CONFIRM })
  const remove = (name: string) => gw.request(`/api/skills/${name}`, { method: 'DELETE', headers: CONFIRM })

  it('searches it', async () => {
    const res = await json(await gw.request('/api/skills/search', { method: 'POST', json: { query: 'standup' } }))
    expect(res.catalog_error).toBeUndefined()
    expect(res.registry_url).toBe(registryUrl)
    expect(res.catalog).toEqual([expect.objectContaining({ slug: 'standup', name: 'Standup', stars: 3, downloads: 9, owner: 'ops' })])
  })

  it('installs by slug, and by a URL on that host', async () => {
    const bySlug = await install({ slug: 'standup' })
    expect(bySlug.status).toBe(201)
    expect((await json(bySlug)).skill).toMatchObject({ name: 'standup', version: '1.0.0' })
    expect((await remove('standup')).status).toBe(200)
    const byUrl = await install({ url: `${registryUrl}/files/standup.md` })
    expect(byUrl.status).toBe(201)
    expect((await remove('standup')).status).toBe(200)
  })

  it('refuses its redirects to other private hosts, and user URLs on any other private origin', async () => {
    const redirected = await install({ slug: 'elsewhere' })
    expect(redirected.status).toBe(400)
    expect((await json(redirected)).error.code).toBe('url_refused')
    expect((await json(await install({ url: `${registryUrl}/bounce` }))).error.code).toBe('url_refused')
    for (const url of [`http://127.0.0.1:${innerPort}/SKILL.md`, `https://127.0.0.1:${innerPort}/SKILL.md`, `http://localhost:${registry.port}/files/standup.md`, `http://[::1]:${registry.port}/files/standup.md`]) {
      const res = await install({ url })
      expect(res.status, url).toBe(400)
      expect((await json(res)).error.code, url).toBe('url_refused')
    }
    expect(hits).toEqual([])
  })
})
