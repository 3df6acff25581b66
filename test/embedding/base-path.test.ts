import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { createGateway } from '../../src/index'
import { TEST_TOKEN } from '../support/gateway'

const config = { authToken: TEST_TOKEN }
const auth = { authorization: `Bearer ${TEST_TOKEN}` }

describe('basePath and mounting (core, any Fetch host)', () => {
  it('serves every route under basePath and nothing outside it', async () => {
    const gateway = await createGateway({ config, basePath: '/tools/agent/' })
    expect(gateway.basePath).toBe('/tools/agent')
    expect((await gateway.fetch(new Request('http://localhost:3000/tools/agent/api/health'))).status).toBe(200)
    expect((await gateway.fetch(new Request('http://localhost:3000/api/health'))).status).toBe(404)
    const whoami = await gateway.fetch(new Request('http://localhost:3000/tools/agent/api/auth/whoami', { headers: auth }))
    expect(await whoami.json()).toMatchObject({ user_id: 'owner' })
    const page = await (await gateway.fetch(new Request('http://localhost:3000/tools/agent'))).text()
    expect(page).toContain('<base href="/tools/agent/" />')
    // As people type it: the same page, whose <base> resolves everything the same way.
    const slash = await gateway.fetch(new Request('http://localhost:3000/tools/agent/?lang=en'))
    expect(slash.status).toBe(200)
    expect(await slash.text()).toContain('<base href="/tools/agent/" />')
    const revalidated = await gateway.fetch(new Request('http://localhost:3000/tools/agent/', { headers: { 'if-none-match': slash.headers.get('etag')! } }))
    expect(revalidated.status).toBe(304)
    await gateway.close()
  })

  it('finds its mount path under host.route() without being told', async () => {
    const gateway = await createGateway({ config })
    const host = new Hono().route('/agent', gateway.app)
    const page = await host.request('http://localhost:3000/agent')
    expect(await page.text()).toContain('<base href="/agent/" />')
    const etag = page.headers.get('etag')
    expect(etag).not.toBe((await gateway.app.request('http://localhost:3000/')).headers.get('etag'))
    const slash = await host.request('http://localhost:3000/agent/')
    expect(slash.status).toBe(200)
    expect(slash.headers.get('etag')).toBe(etag)
    expect(await slash.text()).toContain('<base href="/agent/" />')
    expect((await host.request('http://localhost:3000/agent/api/health')).status).toBe(200)
    // At the root there is nothing to redirect.
    expect((await gateway.app.request('http://localhost:3000/')).status).toBe(200)
    await gateway.close()
  })

  it('documents its own paths in OpenAPI and where it is mounted in `servers`', async () => {
    type Doc = { servers?: Array<{ url: string }>; paths: Record<string, unknown> }
    const mounted = await createGateway({ config, basePath: '/tools/agent' })
    const viaBase = (await (await mounted.fetch(new Request('http://localhost:3000/tools/agent/api/openapi.json'))).json()) as Doc
    expect(viaBase.servers).toEqual([{ url: '/tools/agent' }])
    expect(Object.keys(viaBase.paths)).toContain('/api/health')
    const plain = await createGateway({ config })
    const viaRoute = (await (await new Hono().route('/agent', plain.app).request('http://localhost:3000/agent/api/openapi.json')).json()) as Doc
    expect(viaRoute.servers).toEqual([{ url: '/agent' }])
    expect(Object.keys(viaRoute.paths)).toEqual(Object.keys(viaBase.paths))
    const atRoot = (await (await plain.app.request('http://localhost:3000/api/openapi.json')).json()) as Doc
    expect(atRoot.servers).toBeUndefined()
    await Promise.all([mounted.close(), plain.close()])
  })

  it('refuses a basePath that is not a plain URL path', async () => {
    for (const bad of ['agent', '/a b', '/a?b', '//evil.example', '/a/../b"']) {
      await expect(createGateway({ config, basePath: bad }), bad).rejects.toThrow(/basePath must be a URL path/)
    }
  })
})
