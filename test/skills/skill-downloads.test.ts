import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeEach, describe, expect, it } from 'vitest'
import { makeTarGz, makeZip, replaceAll, skillMd } from '../support/archives'
import { FakeNet, httpServer, httpsServer } from '../support/fake-net'
import { testGateway } from '../support/gateway'

const CONFIRM = { 'x-confirm-action': 'true' }
const json = async (res: Response) => (await res.json()) as Record<string, any>
const SKILL = skillMd({ name: 'gifgrep', description: 'Search GIF collections by text', version: '2.0.0', keywords: ['gif'] }, 'Use gifgrep.')

/**
 * URL and registry installs go through the SSRF guard. The network is fake at the edge: names
 * resolve only through `net`, each connection the guard allows is counted, and loopback servers
 * are reached only as "public" hosts through that fake resolver.
 */
describe('skill downloads', async () => {
  const net = new FakeNet()
  let files: Record<string, { status?: number; body?: Buffer | string; headers?: Record<string, string>; stall?: boolean }> = {}
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
    files = {}
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

  it('installs a SKILL.md from an https URL, connecting to the checked address', async () => {
    files['/gifgrep/SKILL.md'] = { body: SKILL, headers: { 'content-type': 'text/markdown' } }
    const res = await installUrl(`${base}/gifgrep/SKILL.md`)
    expect(res.status).toBe(201)
    expect((await json(res)).skill).toMatchObject({ name: 'gifgrep', version: '2.0.0' })
    expect(net.connections).toEqual([{ url: `${base}/gifgrep/SKILL.md`, address: FakeNet.PUBLIC_IP }])
    await gw.request('/api/skills/gifgrep', { method: 'DELETE', headers: CONFIRM })
  })

  it('refuses local, private and odd URLs in every spelling without connecting', async () => {
    net.names.set('localhost', ['127.0.0.1'])
    net.names.set('metadata.google.internal', ['169.254.169.254'])
    net.names.set('sneaky.example', ['93.184.216.34', '127.0.0.1'])
    net.names.set('zero.example', ['0.0.0.0'])
    net.names.set('mapped.example', ['::ffff:10.0.0.1'])
    net.names.set('compat.example', ['::7f00:1'])
    const refused = [
      `http://skills.example:${site.port}/x`,
      'file:///etc/passwd',
      'ftp://skills.example/x',
      'gopher://skills.example/x',
      'https://127.0.0.1/x',
      'https://127.1/x',
      'https://2130706433/x',
      'https://0x7f.1/x',
      'https://0177.0.0.1/x',
      'https://[::1]/x',
      'https://[::ffff:169.254.169.254]/x',
      'https://[::ffff:7f00:1]/x',
      'https://[2002:7f00:1::]/x',
      'https://[64:ff9b::a9fe:a9fe]/x',
      // Issue 19, defect 7: all of ::/8 (IPv4-compatible ::a.b.c.d, however written) and the
      // other non-public IPv6 ranges.
      'https://[::127.0.0.1]/x',
      'https://[::7f00:1]/x',
      'https://[::1.2.3.4]/x',
      'https://[::ffff:8.8.8.8]/x',
      'https://[::]/x',
      'https://[64:ff9b::7f00:1]/x',
      'https://[64:ff9b:1::808:808]/x',
      'https://[2002:a00:1::]/x',
      'https://[2001::1]/x',
      'https://[2001:db8::1]/x',
      'https://[3fff::1]/x',
      'https://[100::1]/x',
      'https://[fd00::1]/x',
      'https://[fec0::1]/x',
      'https://[ff02::1]/x',
      'https://compat.example/x',
      'https://[fe80::1]/x',
      'https://[fc00::1]/x',
      'https://169.254.169.254/latest/meta-data/',
      'https://0.0.0.0/x',
      'https://10.1.2.3/x',
      'https://192.168.1.1/x',
      'https://172.16.0.1/x',
      'https://100.64.0.1/x',
      'https://localhost/x',
      'https://localhost./x',
      'https://metadata.google.internal/x',
      `https://user:pw@skills.example:${site.port}/x`,
      `https://user@skills.example:${site.port}/x`,
      'https://sneaky.example/x',
      'https://zero.example/x',
      'https://mapped.example/x',
      'https://nxdomain.example/x',
      'not a url',
      '//skills.example/x',
    ]
    for (const url of refused) {
      const res = await installUrl(url)
      expect(res.status, url).toBe(400)
      const body = await json(res)
      expect(body.error.code, url).toBe('url_refused')
      expect(body.success).toBe(false)
    }
    expect(net.connections).toEqual([])
    expect(await installedNames()).toEqual([])
  })

  it('allows plain http only for the configured registry host', async () => {
    const res = await installUrl(`http://registry.test:${registry.port}/api/v1/download?slug=gifgrep`)
    expect(res.status).toBe(201)
    await gw.request('/api/skills/gifgrep', { method: 'DELETE', headers: CONFIRM })
    expect((await installUrl(`http://registry.test:${registry.port + 1}/x`)).status).toBe(400)
  })

  it('checks every redirect hop: a redirect to a private address is refused after one connection', async () => {
    files['/r1'] = { status: 302, headers: { location: 'https://127.0.0.1/SKILL.md' } }
    const res = await installUrl(`${base}/r1`)
    expect(res.status).toBe(400)
    expect((await json(res)).error.code).toBe('url_refused')
    expect(net.connections).toHaveLength(1)
    files['/r2'] = { status: 301, headers: { location: `http://skills.example:${site.port}/SKILL.md` } }
    expect((await json(await installUrl(`${base}/r2`))).error.code).toBe('url_refused')
    // A redirect to another public https host is followed (and checked).
    files['/r3'] = { status: 302, headers: { location: '/final' } }
    files['/final'] = { body: SKILL }
    expect((await installUrl(`${base}/r3`)).status).toBe(201)
    await gw.request('/api/skills/gifgrep', { method: 'DELETE', headers: CONFIRM })
    for (let i = 0; i < 5; i++) files[`/loop${i}`] = { status: 302, headers: { location: `/loop${i + 1}` } }
    expect((await json(await installUrl(`${base}/loop0`))).error.code).toBe('url_refused')
  })

  it("answers a connection that fails with its own words, never the socket's (addresses, ports)", async () => {
    // A public name whose host refuses the connection: a real ECONNREFUSED from the socket.
    net.publicHost('dead.example', '93.184.216.99')
    const res = await installUrl('https://dead.example:1/SKILL.md')
    expect(res.status).toBe(502)
    const body = await json(res)
    expect(body.error).toEqual({ code: 'download_failed', message: 'Could not get an answer from dead.example:1' })
    expect(JSON.stringify(body)).not.toMatch(/ECONN|127\.0\.0\.1|93\.184|connect /)
    expect(net.connections).toHaveLength(1)
  })

  it('pins the checked address: a DNS answer that flips to loopback after the check goes nowhere', async () => {
    let answers = 0
    net.names.set('rebind.example', () => (answers++ === 0 ? [FakeNet.PUBLIC_IP] : ['127.0.0.1']))
    files['/SKILL.md'] = { body: SKILL }
    const res = await installUrl(`https://rebind.example:${site.port}/SKILL.md`)
    expect(res.status).toBe(201)
    // One lookup, one connection, to the address that was checked.
    expect(net.lookups).toEqual(['rebind.example'])
    expect(net.connections.map((c) => c.address)).toEqual([FakeNet.PUBLIC_IP])
    await gw.request('/api/skills/gifgrep', { method: 'DELETE', headers: CONFIRM })
    // The next lookup answers loopback, and the install is refused before connecting.
    net.reset()
    expect((await json(await installUrl(`https://rebind.example:${site.port}/SKILL.md`))).error.code).toBe('url_refused')
    expect(net.connections).toEqual([])
  })

  it('caps size and time', async () => {
    files['/big'] = { body: Buffer.alloc(11 * 1024 * 1024, 0x61) }
    const big = await installUrl(`${base}/big`)
    expect(big.status).toBe(400)
    expect((await json(big)).error.code).toBe('download_too_large')
    files['/big-chunked'] = { body: Buffer.alloc(11 * 1024 * 1024, 0x61), headers: { 'transfer-encoding': 'chunked' } }
    expect((await json(await installUrl(`${base}/big-chunked`))).error.code).toBe('download_too_large')
    files['/stall'] = { stall: true }
    const slow = await installUrl(`${base}/stall`)
    expect(slow.status).toBe(504)
    expect((await json(slow)).error.code).toBe('download_timeout')
    files['/gone'] = { status: 404 }
    expect((await installUrl(`${base}/gone`)).status).toBe(400)
    expect(await installedNames()).toEqual([])
    noLeftovers()
  })

  describe('archives', () => {
    const serve = async (name: string, bytes: Buffer) => {
      files[`/${name}`] = { body: bytes, headers: { 'content-type': 'application/octet-stream' } }
      return installUrl(`${base}/${name}`)
    }

    it('installs a zip and a tar.gz with supporting files (a single top folder is stripped)', async () => {
      const zip = await makeZip([{ name: 'gifgrep/SKILL.md', data: SKILL }, { name: 'gifgrep/refs/notes.md', data: 'notes' }])
      expect((await serve('a.zip', zip)).status).toBe(201)
      expect(readdirSync(join(skillsRoot, 'users')).length).toBe(1)
      const [user] = readdirSync(join(skillsRoot, 'users'))
      expect(readdirSync(join(skillsRoot, 'users', user!, 'gifgrep')).sort()).toEqual(['SKILL.md', 'refs'])
      await gw.request('/api/skills/gifgrep', { method: 'DELETE', headers: CONFIRM })
      const tgz = makeTarGz([{ path: 'SKILL.md', data: SKILL }, { path: 'bin', type: 'Directory' }, { path: 'bin/tool.py', data: 'print(1)' }])
      expect((await serve('a.tgz', tgz)).status).toBe(201)
      await gw.request('/api/skills/gifgrep', { method: 'DELETE', headers: CONFIRM })
    })

    it('refuses hostile zips, leaving nothing behind', async () => {
      const evil: Array<[string, Promise<Buffer> | Buffer]> = [
        ['traversal', makeZip([{ name: 'SKILL.md', data: SKILL }, { name: '../../.bashrc', data: 'rm -rf ~' }])],
        ['absolute', makeZip([{ name: 'SKILL.md', data: SKILL }, { name: '/abs', data: 'x' }])],
        ['backslash', makeZip([{ name: 'SKILL.md', data: SKILL }, { name: '..\\x', data: 'x' }])],
        ['symlink', makeZip([{ name: 'SKILL.md', data: SKILL }, { name: 'link', data: '/etc/passwd', mode: 0o120777 }])],
        ['many', makeZip([{ name: 'SKILL.md', data: SKILL }, ...Array.from({ length: 10_000 }, (_, i) => ({ name: `f/${i}`, data: '', compress: false }))])],
        ['bomb', makeZip([{ name: 'SKILL.md', data: SKILL }, { name: 'bomb.bin', data: Buffer.alloc(50 * 1024 * 1024) }])],
        ['total', makeZip([{ name: 'SKILL.md', data: SKILL }, ...Array.from({ length: 12 }, (_, i) => ({ name: `part${i}.bin`, data: Buffer.alloc(1.9 * 1024 * 1024) }))])],
        ['duplicates', makeZip([{ name: 'SKILL.md', data: SKILL }, { name: 'a.md', data: '1' }, { name: 'A.md', data: '2' }])],
        ['no-skill', makeZip([{ name: 'README.md', data: 'hi' }])],
      ]
      // Lying sizes: a 3 MiB entry whose headers claim 100 bytes; the inflated bytes are counted.
      const honest = await makeZip([{ name: 'SKILL.md', data: SKILL }, { name: 'liar.bin', data: Buffer.alloc(3 * 1024 * 1024) }])
      const size = Buffer.alloc(4)
      size.writeUInt32LE(3 * 1024 * 1024)
      const small = Buffer.alloc(4)
      small.writeUInt32LE(100)
      evil.push(['lying', replaceAll(honest, size, small)])
      for (const [name, archive] of evil) {
        const res = await serve(`${name}.zip`, await archive)
        expect(res.status, name).toBe(400)
        const code = (await json(res)).error.code
        expect(['invalid_archive', 'invalid_skill'], name).toContain(code)
      }
      expect(await installedNames()).toEqual([])
      noLeftovers()
      expect(readdirSync(gw.config.dataDir)).not.toContain('.bashrc')
    })

    it('refuses hostile tarballs', async () => {
      const evil: Array<[string, Buffer]> = [
        ['traversal', makeTarGz([{ path: 'SKILL.md', data: SKILL }, { path: '../../.bashrc', data: 'x' }])],
        ['absolute', makeTarGz([{ path: 'SKILL.md', data: SKILL }, { path: '/etc/cron.d/x', data: 'x' }])],
        ['symlink', makeTarGz([{ path: 'SKILL.md', data: SKILL }, { path: 'link', type: 'SymbolicLink', linkpath: '/etc/passwd' }])],
        ['hardlink', makeTarGz([{ path: 'SKILL.md', data: SKILL }, { path: 'hard', type: 'Link', linkpath: '/etc/passwd' }])],
        ['bomb', makeTarGz([{ path: 'SKILL.md', data: SKILL }, { path: 'bomb.bin', data: Buffer.alloc(30 * 1024 * 1024) }])],
        ['duplicates', makeTarGz([{ path: 'SKILL.md', data: SKILL }, { path: 'SKILL.md', data: SKILL }])],
        ['many', makeTarGz([{ path: 'SKILL.md', data: SKILL }, ...Array.from({ length: 300 }, (_, i) => ({ path: `f${i}`, data: '' }))])],
        ['garbage', Buffer.concat([Buffer.from([0x1f, 0x8b]), Buffer.alloc(100, 7)])],
      ]
      for (const [name, archive] of evil) {
        const res = await serve(`${name}.tgz`, archive)
        expect(res.status, name).toBe(400)
        expect((await json(res)).error.code, name).toBe('invalid_archive')
      }
      expect(await installedNames()).toEqual([])
      noLeftovers()
    })
  })

  describe('registry', () => {
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
