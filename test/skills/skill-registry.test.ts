import { describe, expect, it } from 'vitest'
import { skillMd } from '../support/archives'
import { FakeNet } from '../support/fake-net'
import { testGateway } from '../support/gateway'
import { CONFIRM, downloadHarness, json } from './download-harness'

/** The skill registry: search beside local skills, install by slug, and local results when it is down. */
describe('skill registry', async () => {
  const { registry, registryHits, gw } = await downloadHarness()

  it('searches the registry (top hits enriched) beside local skills', async () => {
    registryHits.splice(0, registryHits.length, { score: 0.9, slug: 'gifgrep', displayName: 'GifGrep', summary: 'Search GIFs', version: '2.0.0', updatedAt: 1730000000000 }, { slug: 'other', displayName: null, summary: null })
    const res = await json(await gw.request('/api/skills/search', { method: 'POST', json: { query: 'gif' } }))
    expect(res.registry_url).toBe(`http://registry.test:${registry.port}`)
    expect(res.catalog_error).toBeUndefined()
    expect(res.catalog).toEqual([
      { slug: 'gifgrep', name: 'GifGrep', description: 'Search GIFs', version: '2.0.0', score: 0.9, updatedAt: 1730000000000, stars: 42, downloads: 1234, owner: 'steipete', installed: false },
      { slug: 'other', name: 'other', description: '', version: null, score: null, updatedAt: null, stars: null, downloads: null, owner: null, installed: false },
    ])
  })

  it('installs by slug (or name) from the registry, then flags it installed', async () => {
    const res = await gw.request('/api/skills/install', { method: 'POST', json: { name: 'gifgrep' }, headers: CONFIRM })
    expect(res.status).toBe(201)
    expect((await json(res)).skill).toMatchObject({ name: 'gifgrep', version: '2.0.0' })
    const search = await json(await gw.request('/api/skills/search', { method: 'POST', json: { query: 'gif' } }))
    expect(search.catalog[0].installed).toBe(true)
    expect(search.installed.map((s: { name: string }) => s.name)).toEqual(['gifgrep'])
    const missing = await gw.request('/api/skills/install', { method: 'POST', json: { slug: 'nope' }, headers: CONFIRM })
    expect(missing.status).toBe(502)
    expect((await json(missing)).error.code).toBe('download_failed')
    await gw.request('/api/skills/gifgrep', { method: 'DELETE', headers: CONFIRM })
  })
})

describe('skill search with the registry down', () => {
  it('still answers with local results and a catalog_error', async () => {
    const net = new FakeNet().publicHost('down.test')
    const gw = await testGateway({
      runtime: { name: 'node-test', resolveHost: net.resolveHost, fetchPinned: net.fetchPinned } as never,
      // Port 9 (discard) on loopback: nothing listens, the connection is refused.
      config: { skills: { registryUrl: 'http://down.test:9', registryTimeoutMs: 2_000 } },
    })
    try {
      await gw.request('/api/skills/install', { method: 'POST', json: { content: skillMd({ name: 'local-gif', description: 'gif tools' }) }, headers: CONFIRM })
      const res = await gw.request('/api/skills/search', { method: 'POST', json: { query: 'gif' } })
      expect(res.status).toBe(200)
      const body = await json(res)
      expect(body.installed.map((s: { name: string }) => s.name)).toEqual(['local-gif'])
      expect(body.catalog).toEqual([])
      expect(body.catalog_error).toMatch(/could not be searched/)
    } finally {
      await gw.close()
    }
  })
})
