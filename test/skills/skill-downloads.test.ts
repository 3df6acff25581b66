import { describe, expect, it } from 'vitest'
import { FakeNet } from '../support/fake-net'
import { CONFIRM, downloadHarness, json, SKILL } from './download-harness'

/** URL installs go through the SSRF guard: schemes, addresses in every spelling, redirects, DNS pinning, caps. */
describe('skill downloads', async () => {
  const { net, files, site, registry, gw, installUrl, base, installedNames, noLeftovers } = await downloadHarness()

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
})
