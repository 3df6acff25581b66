import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { createGateway } from '../../src/index'
import { TEST_TOKEN } from '../support/gateway'

const config = { authToken: TEST_TOKEN }

/**
 * The page names its mount in `<base href>`, and the app resolves every request against
 * `document.baseURI`: each relative reference in the page, and each API path made relative, must
 * then land on the gateway, whatever prefix it is mounted under.
 */
async function checkPage(fetchUrl: (url: string, init?: RequestInit) => Promise<Response>, pageUrl: string, expectedBase: string): Promise<void> {
  const page = await fetchUrl(pageUrl)
  expect(page.status).toBe(200)
  const html = await page.text()
  const base = /<base href="([^"]+)"/.exec(html)?.[1]
  expect(base).toBe(expectedBase)
  const baseUrl = new URL(base!, pageUrl)
  const refs = [...html.matchAll(/\s(?:src|href)="([^"#][^"]*)"/g)].map((m) => m[1]!).filter((ref) => ref !== base)
  expect(refs).toEqual(expect.arrayContaining(['app.js', 'style.css', 'favicon.ico']))
  for (const ref of refs) {
    // Relative, so the browser resolves it under the mount (an absolute `/app.js` would escape it).
    expect(ref.startsWith('/'), ref).toBe(false)
    expect((await fetchUrl(new URL(ref, baseUrl).href)).status, ref).toBe(200)
  }
  // What `gatewayUrl('/api/auth/whoami')` computes in the app.
  const whoami = await fetchUrl(new URL('api/auth/whoami', baseUrl).href, { headers: { authorization: `Bearer ${TEST_TOKEN}` } })
  expect(await whoami.json()).toMatchObject({ user_id: 'owner' })
}

describe('the web app under a mount prefix', () => {
  it('resolves its assets and API paths under basePath', async () => {
    const gateway = await createGateway({ config, basePath: '/tools/agent' })
    await checkPage((url, init) => Promise.resolve(gateway.fetch(new Request(url, init))), 'http://localhost:3000/tools/agent', '/tools/agent/')
    await gateway.close()
  })

  it('resolves its assets and API paths under host.route()', async () => {
    const gateway = await createGateway({ config })
    const host = new Hono().route('/apps/agent', gateway.app)
    await checkPage((url, init) => Promise.resolve(host.request(url, init)), 'http://localhost:3000/apps/agent', '/apps/agent/')
    await checkPage((url, init) => Promise.resolve(gateway.app.request(url, init)), 'http://localhost:3000/', '/')
    await gateway.close()
  })
})
