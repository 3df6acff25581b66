import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { fetchPinned, resolveHost } from '../../adapters/shared/pinned-fetch'
import { builtinTools, checkPublicUrl, publicAddressOnly, type Tool } from '../../src/exports/agent'
import type { PinnedRequest } from '../../src/exports/ports'
import { truncateBytes } from '../../src/lib/text'

const ctx = { userId: 'owner', threadId: 't', callId: 'c', signal: new AbortController().signal }

describe('SSRF guard', () => {
  it('accepts only public unicast addresses, whatever their spelling', () => {
    for (const ok of ['93.184.215.14', '8.8.8.8', '2606:4700:4700::1111', '2001:4860:4860::8888', '64:ff9b::808:808', '2002:808:808::1']) expect(publicAddressOnly(ok), ok).toBe(true)
    for (const bad of [
      '127.0.0.1', '127.1.2.3', '0.0.0.0', '10.0.0.1', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.100.100.200',
      '224.0.0.1', '255.255.255.255', '::1', '::', 'fe80::1', 'fd00:ec2::254', '::ffff:169.254.169.254', '::ffff:127.0.0.1',
      '64:ff9b::a9fe:a9fe', '2002:7f00:1::', 'not-an-ip',
      // Issue 19: ::/96 and the rest of ::/8, however spelled; every special-purpose IPv6 block.
      '::127.0.0.1', '::7f00:1', '::1.2.3.4', '::102:304', '::ffff:8.8.8.8', '::ffff:0:7f00:1', '64:ff9b:1::808:808', '100::1',
      '2001::1', '2001:2::1', '2001:10::1', '2001:db8::1', '3fff::1', 'fc00::1', 'fec0::1', 'ff02::1', '5f00::1', '1::', '4000::1',
      '0x7f.1', '2130706433', '192.0.0.1', '192.0.2.1', '198.18.0.1', '240.0.0.1', '192.88.99.1',
    ]) {
      expect(publicAddressOnly(bad), bad).toBe(false)
    }
  })

  it('property: a non-public IPv4 address is refused in every IPv6 spelling, and ::/8 always', () => {
    const hex = (a: number, b: number) => ((a << 8) | b).toString(16)
    fc.assert(
      fc.property(fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)), ([a, b, c, d]) => {
        const v4 = `${a}.${b}.${c}.${d}`
        const forms = [`::${v4}`, `::${hex(a, b)}:${hex(c, d)}`, `::ffff:${v4}`, `::ffff:${hex(a, b)}:${hex(c, d)}`, `::ffff:0:${v4}`]
        // Nothing in ::/8 is a host on the internet, whatever it carries.
        for (const form of forms) expect(publicAddressOnly(form), form).toBe(false)
        const embedded = [`64:ff9b::${v4}`, `64:ff9b::${hex(a, b)}:${hex(c, d)}`, `2002:${hex(a, b)}:${hex(c, d)}::1`]
        for (const form of embedded) expect(publicAddressOnly(form), form).toBe(publicAddressOnly(v4))
      }),
      { numRuns: 2_000 },
    )
  })

  it('refuses schemes, credentials, literal and resolved private hosts before any connection', async () => {
    const answers: Record<string, string[]> = { 'example.com': ['93.184.215.14'], 'rebind.example': ['93.184.215.14', '127.0.0.1'], 'metadata.google.internal': ['169.254.169.254'], localhost: ['127.0.0.1', '::1'] }
    const lookups: string[] = []
    const deps = { resolveHost: async (host: string) => (lookups.push(host), answers[host] ?? []) }
    await expect(checkPublicUrl('https://example.com/a', deps)).resolves.toMatchObject({ address: '93.184.215.14' })
    for (const url of [
      'file:///etc/passwd', 'ftp://example.com/', 'gopher://example.com', 'https://user:pw@example.com/', 'http://127.0.0.1/', 'http://127.1/',
      'http://2130706433/', 'http://0x7f.1/', 'http://[::1]/', 'http://[::ffff:169.254.169.254]/', 'http://169.254.169.254/latest/meta-data',
      'http://0.0.0.0:3000/', 'http://localhost./', 'http://localhost/', 'http://metadata.google.internal/', 'http://rebind.example/',
      'http://unknown.example/', 'not a url',
    ]) {
      await expect(checkPublicUrl(url, deps), url).rejects.toThrow()
    }
    expect(lookups.sort()).toEqual(['example.com', 'localhost', 'localhost', 'metadata.google.internal', 'rebind.example', 'unknown.example'])
  })

  it('cuts previews at a character boundary', () => {
    expect(truncateBytes('ab', 500)).toBe('ab')
    expect(truncateBytes('é'.repeat(300), 500)).toBe(`${'é'.repeat(250)}...`)
    expect(truncateBytes('😀'.repeat(200), 10)).toBe('😀😀...')
  })
})

describe('built-in tools', async () => {
  // A real HTTP server on loopback plays "the public web"; a test policy lets the tool reach it.
  const hits: string[] = []
  const server: Server = createServer((req, res) => {
    hits.push(req.url ?? '')
    if (req.url === '/page') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      return void res.end('<html><head><style>x{}</style><script>evil()</script></head><body><h1>Title</h1><p>Hello &amp; welcome</p></body></html>')
    }
    if (req.url === '/to-private') {
      res.writeHead(302, { location: 'http://127.0.0.2:1/secret' })
      return void res.end()
    }
    if (req.url === '/hop') {
      res.writeHead(301, { location: '/page' })
      return void res.end()
    }
    if (req.url === '/big') {
      res.writeHead(200, { 'content-type': 'text/plain' })
      return void res.end('x'.repeat(50_000))
    }
    if (req.url === '/binary') {
      res.writeHead(200, { 'content-type': 'image/png' })
      return void res.end(Buffer.alloc(100))
    }
    if (req.url === '/slow') return void setTimeout(() => res.end('late'), 5_000)
    res.writeHead(404)
    res.end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  afterAll(() => new Promise((resolve) => server.closeAllConnections() ?? server.close(resolve)))

  const pinnedTo: string[] = []
  const runtime = {
    resolveHost: async (host: string) => (host === 'site.test' ? ['127.0.0.1'] : resolveHost(host)),
    fetchPinned: (url: string, init: PinnedRequest) => {
      pinnedTo.push(init.address)
      return fetchPinned(url, init)
    },
  }
  const tools = await builtinTools({ runtime, addressPolicy: (a) => a === '127.0.0.1', fetchTimeoutMs: 500, fetchMaxBytes: 10_000 }).tools('owner')
  const fetchTool = tools.find((t) => t.name === 'http_fetch') as Tool
  const run = (url: string) => fetchTool.execute({ url }, ctx)

  it('fetches a page through the pinned address and returns its text', async () => {
    expect(fetchTool.requiresApproval).toBe(true)
    const result = await run(`http://site.test:${port}/page`)
    expect(result.isError).toBeFalsy()
    expect(result.output).toContain('HTTP 200')
    expect(result.output).toContain('Title\nHello & welcome')
    expect(result.output).not.toContain('evil()')
    expect(pinnedTo.at(-1)).toBe('127.0.0.1')
    expect((await run(`http://site.test:${port}/hop`)).output).toContain('Hello & welcome')
  })

  it('checks every redirect hop, caps size and time, and does not show binary bodies', async () => {
    const before = hits.length
    const redirected = await run(`http://site.test:${port}/to-private`)
    expect(redirected).toMatchObject({ isError: true })
    expect(redirected.output).toContain('not a public address (127.0.0.2)')
    expect(hits.length - before).toBe(1)
    const big = await run(`http://site.test:${port}/big`)
    expect(big.output).toContain('[truncated at 10000 bytes]')
    expect((await run(`http://site.test:${port}/binary`)).output).toContain('not text')
    expect(await run(`http://site.test:${port}/slow`)).toMatchObject({ isError: true, output: 'The fetch took longer than 1 s' })
  })

  it('with the default policy, refuses loopback even for a real resolver', async () => {
    const strict = await builtinTools({ runtime }).tools('owner')
    const result = await strict.find((t) => t.name === 'http_fetch')!.execute({ url: `http://localhost:${port}/page` }, ctx)
    expect(result).toMatchObject({ isError: true })
    expect(result.output).toContain('not a public address')
  })

  it('leaves http_fetch out when the runtime cannot pin connections; current_time is timezone aware', async () => {
    const bare = await builtinTools({ runtime: {}, clock: { now: () => Date.UTC(2026, 0, 15, 12, 0, 0) } }).tools('owner')
    expect(bare.map((t) => t.name)).toEqual(['current_time'])
    const time = bare[0]!
    const paris = JSON.parse((await time.execute({}, { ...ctx, timezone: 'Europe/Paris' })).output)
    expect(paris).toMatchObject({ timezone: 'Europe/Paris', local_iso: '2026-01-15T13:00:00', utc_offset: 'UTC+01:00', weekday: 'Thursday', utc: '2026-01-15T12:00:00.000Z' })
    const tokyo = JSON.parse((await time.execute({ timezone: 'Asia/Tokyo' }, ctx)).output)
    expect(tokyo.local_iso).toBe('2026-01-15T21:00:00')
    expect(await time.execute({ timezone: 'Mars/Olympus' }, ctx)).toMatchObject({ isError: true })
    expect(JSON.parse((await time.execute({}, ctx)).output).timezone).toBe('UTC')
  })
})
