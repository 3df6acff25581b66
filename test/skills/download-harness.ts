import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeEach, expect } from 'vitest'
import { makeZip, skillMd } from '../support/archives'
import { FakeNet, httpServer, httpsServer } from '../support/fake-net'
import { testGateway } from '../support/gateway'

export const CONFIRM = { 'x-confirm-action': 'true' }
export const json = async (res: Response) => (await res.json()) as Record<string, any>
export const SKILL = skillMd({ name: 'gifgrep', description: 'Search GIF collections by text', version: '2.0.0', keywords: ['gif'] }, 'Use gifgrep.')

type SiteFile = { status?: number; body?: Buffer | string; headers?: Record<string, string>; stall?: boolean }

/**
 * A gateway whose downloads go through the SSRF guard over a fake network: names resolve only
 * through `net`, each connection the guard allows is counted, and loopback servers (an https
 * site serving `files`, a skill registry answering with `registryHits`) are reached only as
 * "public" hosts through that fake resolver. Closed after the file; call it in a `describe`.
 */
export async function downloadHarness() {
  const net = new FakeNet()
  const files: Record<string, SiteFile> = {}
  const site = await httpsServer(['skills.example', 'rebind.example', 'hop.example'], (req, res) => {
    const file = files[req.url ?? '']
    if (!file) return void res.writeHead(404).end('missing')
    if (file.stall) return void res.writeHead(200, { 'content-type': 'text/plain' }).write('slow')
    res.writeHead(file.status ?? 200, file.headers ?? {})
    res.end(file.body ?? '')
  })
  const registryHits: unknown[] = []
  const registry = await httpServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    if (url.pathname === '/api/v1/search') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ results: registryHits }))
    if (url.pathname === '/api/v1/skills/gifgrep') {
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ skill: { slug: 'gifgrep', stats: { stars: 42, downloads: 1234 } }, owner: { handle: 'steipete' } }))
    }
    if (url.pathname === '/api/v1/download' && url.searchParams.get('slug') === 'gifgrep') {
      return void makeZip([{ name: 'SKILL.md', data: SKILL }, { name: 'scripts/run.sh', data: 'echo hi' }]).then((zip) => res.writeHead(200, { 'content-type': 'application/zip' }).end(zip))
    }
    res.writeHead(404).end()
  })
  net.publicHost('skills.example').publicHost('registry.test')
  const gw = await testGateway({
    runtime: { name: 'node-test', resolveHost: net.resolveHost, fetchPinned: net.fetchPinned } as never,
    config: { skills: { registryUrl: `http://registry.test:${registry.port}`, downloadTimeoutMs: 1_500 } },
  })
  afterAll(async () => {
    await gw.close()
    await site.close()
    await registry.close()
  })
  beforeEach(() => {
    net.reset()
    for (const path of Object.keys(files)) delete files[path]
  })
  const skillsRoot = join(gw.config.dataDir, 'skills')
  const installUrl = (url: string) => gw.request('/api/skills/install', { method: 'POST', json: { url }, headers: CONFIRM })
  const base = `https://skills.example:${site.port}`
  const installedNames = async () => ((await json(await gw.request('/api/skills'))).skills as Array<{ name: string }>).map((s) => s.name)
  /** No temp or half-written folder is left anywhere under the skills directory. */
  const noLeftovers = () => {
    const walk = (dir: string): string[] => {
      try {
        return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? [e.name, ...walk(join(dir, e.name))] : []))
      } catch {
        return []
      }
    }
    expect(walk(skillsRoot).filter((n) => n.startsWith('.'))).toEqual([])
  }
  return { net, files, site, registry, registryHits, gw, skillsRoot, installUrl, base, installedNames, noLeftovers }
}
