import { Hono } from 'hono'
import { TrieRouter } from 'hono/router/trie-router'
import { describe, expect, it } from 'vitest'
import { isDocOnly } from '../../src/middleware/route-doc'
import { StaticFirstRouter } from '../../src/lib/static-first-router'
import { testGateway } from '../support/gateway'

const ROUTES: Array<[method: string, path: string, name: string]> = [
  ['ALL', '*', 'edge'],
  ['ALL', '/v1/*', 'openai-shape'],
  ['GET', '/api/jobs/:id/events', 'job-events'],
  ['GET', '/api/jobs/summary', 'jobs-summary'],
  ['GET', '/api/jobs/:id', 'job'],
  ['POST', '/api/jobs/:id/cancel', 'cancel'],
  ['ALL', '/api/*', 'auth'],
  ['GET', '/api/health', 'health'],
  ['GET', '/v1/models', 'models'],
]

const build = <R extends { add(m: string, p: string, h: string): void }>(router: R): R => {
  for (const [method, path, name] of ROUTES) router.add(method, path, name)
  return router
}

describe('StaticFirstRouter', () => {
  const paths = ['/api/health', '/api/jobs/summary', '/api/jobs/42', '/api/jobs/42/events', '/api/jobs/42/cancel', '/v1/models', '/nope', '/api/health/']

  it('answers every method and path exactly as the trie does, the first time and the next', () => {
    const trie = build(new TrieRouter<string>())
    const router = build(new StaticFirstRouter<string>())
    for (const method of ['GET', 'POST', 'DELETE', 'OPTIONS', 'PROPFIND']) {
      for (const path of paths) {
        const expected = trie.match(method, path)
        expect(router.match(method, path), `${method} ${path}`).toEqual(expected)
        expect(router.match(method, path), `${method} ${path} again`).toEqual(expected)
      }
    }
  })

  it('forgets its answers when a route is added after a request', () => {
    const router = build(new StaticFirstRouter<string>())
    const names = () => router.match('GET', '/api/health')[0].map(([handler]) => handler)
    expect(names()).toEqual(['edge', 'auth', 'health'])
    router.add('GET', '/api/health', 'late')
    expect(names()).toEqual(['edge', 'auth', 'health', 'late'])
  })

  it('keeps no answer for a made-up method, so none can grow its memory', () => {
    const router = build(new StaticFirstRouter<string>())
    const first = router.match('FROB', '/api/health')
    expect(router.match('FROB', '/api/health')).not.toBe(first)
    expect(router.match('GET', '/api/health')).toBe(router.match('GET', '/api/health'))
  })

  it('keeps registration order where a literal and a parameter route both match', async () => {
    const app = new Hono({ router: new StaticFirstRouter() })
      .get('/api/jobs/:id', (c) => c.text(`job ${c.req.param('id')}`))
      .get('/api/jobs/summary', (c) => c.text('summary'))
    expect(await (await app.request('/api/jobs/summary')).text()).toBe('job summary')
    expect(await (await app.request('/api/jobs/7')).text()).toBe('job 7')
  })
  it("leaves routeDoc()'s no-op out of matching; the route runs and the OpenAPI document keeps its doc", async () => {
    const gw = await testGateway()
    const matched = (gw.app.router as StaticFirstRouter<[unknown, unknown]>).match('GET', '/api/auth/whoami')[0].map(([[handler]]) => handler)
    expect(matched.some(isDocOnly)).toBe(false)
    expect(matched.length).toBeGreaterThan(0)
    expect((await gw.request('/api/auth/whoami')).status).toBe(200)
    const doc = await (await gw.request('/api/openapi.json')).json()
    expect(doc.paths['/api/auth/whoami'].get.summary).toBe('Validate a token and say whose it is')
    await gw.close()
  })
})
