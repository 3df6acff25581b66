import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { serveGateway } from '../../adapters/node/index'
import { defaultJobs, jobsGateway, OTHER_TOKEN, startJob, waitForState } from './support'

type Gw = Awaited<ReturnType<typeof jobsGateway>>

/** A fixed offset added to the real time, so a test can make links expire without waiting. */
const clock = { offsetMs: 0, now: () => Date.now() + clock.offsetMs }

describe('job workspace files: /projects and files/*', () => {
  let gw: Gw
  let id: string
  let root: string
  let sibling: string
  beforeAll(async () => {
    gw = await jobsGateway({ clock })
    const job = await startJob(gw, 'write site/index.html <h1>site</h1>; write notes/a.txt alpha')
    await waitForState(gw, job.id, ['completed'])
    id = job.id
    root = defaultJobs(gw).workspaceOf({ workspace_id: id })
    const jobsRoot = dirname(dirname(root))
    // A sibling "job" whose directory name extends ours (the job1/job10 trap) and holds a secret.
    sibling = join(jobsRoot, `${id}0`)
    mkdirSync(join(sibling, 'workspace'), { recursive: true })
    writeFileSync(join(sibling, 'workspace/secret.txt'), 'SIBLING SECRET')
    writeFileSync(join(root, 'page.html'), '<script>localStorage.stolen = document.cookie</script><p>hi</p>')
    writeFileSync(join(root, 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>')
    writeFileSync(join(root, 'data.bin'), new Uint8Array([0, 1, 2]))
    writeFileSync(join(root, '<img src=x onerror=alert(1)>.txt'), 'x')
    symlinkSync('/etc', join(root, 'etc-link'))
    symlinkSync(join(sibling, 'workspace'), join(root, 'sibling-link'))
    symlinkSync(join(sibling, 'workspace/secret.txt'), join(root, 'secret-link'))
  })
  afterAll(async () => {
    await gw.close()
  })

  const detail = async () => (await (await gw.request(`/api/jobs/${id}`)).json()) as { browse_url: string; events_url: string }

  it('redirects to the trailing slash (308) and lists the workspace as escaped HTML', async () => {
    const redirect = await gw.request(`/projects/${id}`)
    expect(redirect.status).toBe(308)
    expect(redirect.headers.get('location')).toBe(`/projects/${id}/`)
    const listing = await gw.request(`/projects/${id}/`)
    expect(listing.status).toBe(200)
    expect(listing.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(listing.headers.get('content-security-policy')).toMatch(/^sandbox allow-scripts;/)
    const html = await listing.text()
    expect(html).toContain('href="notes/"')
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;.txt')
    expect(html).not.toContain('<img src=x')
    expect(html).toContain(`href="${encodeURIComponent('<img src=x onerror=alert(1)>.txt')}"`)
    const sub = await gw.request(`/projects/${id}/notes`)
    expect(sub.status).toBe(308)
    expect(sub.headers.get('location')).toBe(`/projects/${id}/notes/`)
    expect(await (await gw.request(`/projects/${id}/notes/`)).text()).toContain('href="../"')
    const index = await gw.request(`/projects/${id}/site/`)
    expect(await index.text()).toBe('<h1>site</h1>')
    expect((await gw.request(`/projects/${id}/notes/a.txt/`)).status).toBe(404)
  })

  it('serves job-written HTML and SVG sandboxed, so they cannot script the app origin', async () => {
    for (const [file, type] of [
      ['page.html', 'text/html; charset=utf-8'],
      ['logo.svg', 'image/svg+xml'],
    ] as const) {
      const res = await gw.request(`/projects/${id}/${file}`)
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toBe(type)
      const csp = res.headers.get('content-security-policy')!
      // Opaque origin (no allow-same-origin): no access to the app's storage, cookies or API.
      expect(csp.split('; ')[0]).toBe('sandbox allow-scripts')
      expect(csp).not.toContain('allow-same-origin')
      expect(csp).toContain("connect-src 'none'")
      expect(csp).toContain("frame-ancestors 'none'")
      expect(res.headers.get('x-content-type-options')).toBe('nosniff')
      expect(res.headers.get('x-frame-options')).toBe('DENY')
      expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin')
      expect(res.headers.get('referrer-policy')).toBe('no-referrer')
    }
    const bin = await gw.request(`/projects/${id}/data.bin`)
    expect(bin.headers.get('content-type')).toBe('application/octet-stream')
    expect(bin.headers.get('content-disposition')).toBe("attachment; filename*=UTF-8''data.bin")
    expect(new Uint8Array(await bin.arrayBuffer())).toEqual(new Uint8Array([0, 1, 2]))
    const text = await gw.request(`/projects/${id}/notes/a.txt`)
    expect(text.headers.get('content-type')).toBe('text/plain; charset=utf-8')
    expect(text.headers.get('content-length')).toBe('5')
    expect(await text.text()).toBe('alpha')
  })

  it('opens in a new tab with the signed browse link, no bearer header; relative links keep working', async () => {
    const { browse_url } = await detail()
    const page = await gw.request(browse_url, { token: null })
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('href="notes/"')
    expect(await (await gw.request(`${browse_url}notes/a.txt`, { token: null })).text()).toBe('alpha')
    expect((await gw.request(browse_url.replace(/\/$/, ''), { token: null })).status).toBe(308)
  })

  it('refuses links that are tampered with, meant for something else, expired, or not links at all', async () => {
    const { browse_url, events_url } = await detail()
    const [, exp, cred, sig] = /\.(\d+)\.([\w-]+)\.([\w-]+)\/$/.exec(browse_url)!
    // Every other last character: also those that differ only in the unused low bits of base64.
    for (const last of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.replace(sig!.at(-1)!, '')) {
      expect((await gw.request(`/projects/${id}.${exp}.${cred}.${sig!.slice(0, -1)}${last}/`, { token: null })).status).toBe(404)
    }
    const middle = sig!.slice(0, 10) + (sig![10] === 'x' ? 'y' : 'x') + sig!.slice(11)
    expect((await gw.request(`/projects/${id}.${exp}.${cred}.${middle}/`, { token: null })).status).toBe(404)
    expect((await gw.request(`/projects/${id}.${Number(exp) + 1}.${cred}.${sig}/`, { token: null })).status).toBe(404)
    // Naming another credential than the one that signed it: a forged link, not a revoked one.
    expect((await gw.request(`/projects/${id}.${exp}.${crypto.randomUUID()}.${sig}/`, { token: null })).status).toBe(404)
    const ticket = new URL(events_url, 'http://x').searchParams.get('ticket')!
    expect((await gw.request(`/projects/${id}.${ticket}/`, { token: null })).status).toBe(404)
    expect((await gw.request(`/projects/${id}/`, { token: null })).status).toBe(401)
    expect((await gw.request(`/projects/${id}/?token=test-owner-token-0123456789abcdef`, { token: null })).status).toBe(401)
    expect((await gw.request(`/projects/${id}/`, { token: 'wrong-token' })).status).toBe(401)
    // Another job's link does not open this one.
    const other = await startJob(gw, 'say other')
    const otherUrl = ((await (await gw.request(`/api/jobs/${other.id}`)).json()) as { browse_url: string }).browse_url
    const otherSig = /\.(\d+\.[\w-]+\.[\w-]+)\/$/.exec(otherUrl)![1]
    expect((await gw.request(`/projects/${id}.${otherSig}/`, { token: null })).status).toBe(404)
    clock.offsetMs = (defaultJobs(gw).config.linkTtlSecs + 5) * 1000
    try {
      const expired = await gw.request(browse_url, { token: null })
      expect(expired.status).toBe(401)
      expect(((await expired.json()) as { error: { code: string } }).error.code).toBe('link_expired')
    } finally {
      clock.offsetMs = 0
    }
    // Bob's own credentials do not open the owner's job, and a link does not help him.
    expect((await gw.request(browse_url, { token: OTHER_TOKEN })).status).toBe(404)
  })

  const outside = ['SIBLING SECRET', 'root:x:0:0']
  const refused = (status: number) => [400, 403, 404].includes(status)

  it('files/list and files/read refuse every traversal variant (security-bar 11-15)', async () => {
    const variants = [
      '../x',
      'a/../../x',
      '/etc/passwd',
      '//etc/passwd',
      'C:\\x',
      '..\\..\\x',
      '\\\\host\\share',
      '%2e%2e/',
      '%2e%2e%2f',
      '..%2f',
      '%252e%252e%252f',
      '..%5c',
      '%c0%ae%c0%ae/',
      '．．／',
      'a.md\u0000.png',
      'notes/a.txt\u0000',
      'etc-link/passwd',
      'etc-link',
      'sibling-link/secret.txt',
      'sibling-link',
      'secret-link',
      `../../${id}0/workspace/secret.txt`,
      `../${id}0/workspace/secret.txt`,
    ]
    for (const variant of variants) {
      for (const route of ['list', 'read']) {
        const res = await gw.request(`/api/jobs/${id}/files/${route}?path=${encodeURIComponent(variant)}`)
        const body = await res.text()
        expect(refused(res.status), `${route} ${JSON.stringify(variant)} -> ${res.status} ${body}`).toBe(true)
        for (const secret of outside) expect(body).not.toContain(secret)
      }
    }
    // The expected status for the distinct kinds of refusal.
    const status = async (path: string) => (await gw.request(`/api/jobs/${id}/files/read?path=${encodeURIComponent(path)}`)).status
    expect(await status('../x')).toBe(403)
    expect(await status('etc-link/passwd')).toBe(403)
    expect(await status('sibling-link/secret.txt')).toBe(403)
    expect(await status(`../../${id}0/workspace/secret.txt`)).toBe(403)
    expect(await status('a.md\u0000.png')).toBe(400)
    expect(await status('..\\..\\x')).toBe(400)
    expect(await status('/etc/passwd')).toBe(404)
    expect(await status('%252e%252e%252f')).toBe(404)
  })

  it('/projects refuses every traversal variant, encoded or not', async () => {
    const paths = [
      `/projects/${id}/../../etc/passwd`,
      `/projects/${id}/%2e%2e/%2e%2e/etc/passwd`,
      `/projects/${id}/..%2f..%2fetc%2fpasswd`,
      `/projects/${id}/..%2F${id}0%2Fworkspace%2Fsecret.txt`,
      `/projects/${id}/%252e%252e%252f`,
      `/projects/${id}/..%5c..%5cx`,
      `/projects/${id}/%c0%ae%c0%ae/x`,
      `/projects/${id}/a.md%00.png`,
      `/projects/${id}/notes%00/a.txt`,
      `/projects/${id}/etc-link/passwd`,
      `/projects/${id}/etc-link/`,
      `/projects/${id}/sibling-link/secret.txt`,
      `/projects/${id}/secret-link`,
      `/projects/${id}0/workspace/secret.txt`,
      `/projects/..%2f${id}0/`,
      '/projects/../etc/passwd',
      '/projects/not-a-uuid/',
      `/projects/${id.toUpperCase()}/`,
    ]
    for (const path of paths) {
      const res = await gw.request(path)
      const body = await res.text()
      expect(refused(res.status), `${path} -> ${res.status} ${body}`).toBe(true)
      for (const secret of outside) expect(body).not.toContain(secret)
    }
    expect((await gw.request(`/projects/${id}/etc-link/passwd`)).status).toBe(403)
    expect((await gw.request(`/projects/${id}/a.md%00.png`)).status).toBe(400)
    // URL parsing resolves encoded dot segments before routing: this is the app's start page.
    const up = await gw.request('/projects/%2e%2e/')
    expect(up.headers.get('content-security-policy')).not.toMatch(/sandbox/)
  })

  // Last: serving the gateway and stopping the server closes it.
  it('/projects refuses raw (unnormalised) traversal sent over a socket', async () => {
    const server = await serveGateway(gw, { port: 0 })
    try {
      const raw = async (path: string): Promise<string> =>
        new Promise((resolve, reject) => {
          const socket = connect(server.port, '127.0.0.1', () => {
            socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nAuthorization: Bearer test-owner-token-0123456789abcdef\r\nConnection: close\r\n\r\n`)
          })
          let data = ''
          socket.on('data', (chunk) => (data += chunk))
          socket.on('end', () => resolve(data))
          socket.on('error', reject)
        })
      for (const path of [`/projects/${id}/../../../../etc/passwd`, `/projects/${id}/..\\..\\..\\etc\\passwd`, `/projects/${id}/./../${id}0/workspace/secret.txt`]) {
        const response = await raw(path)
        const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1])
        expect(refused(status), `${path} -> ${response.slice(0, 80)}`).toBe(true)
        for (const secret of outside) expect(response).not.toContain(secret)
      }
    } finally {
      await server.close(500)
    }
  })
})
