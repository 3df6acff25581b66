import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { AppEvent, appEventTypes, eventSchemas, WsClientFrame } from '../../src/exports/protocol'
import { testGateway } from '../support/gateway'

describe('static app shell', async () => {
  const gw = await testGateway()

  it('serves the inlined app with the contract content types and cache rules', async () => {
    const cases: Array<[string, RegExp, string]> = [
      ['/', /^text\/html/, 'no-cache'],
      ['/style.css', /^text\/css/, 'no-cache'],
      ['/app.js', /^application\/javascript/, 'no-cache'],
      ['/favicon.ico', /^image\/x-icon/, 'public, max-age=86400'],
    ]
    for (const [path, type, cache] of cases) {
      const res = await gw.request(path, { token: null })
      expect(res.status, path).toBe(200)
      expect(res.headers.get('content-type')).toMatch(type)
      expect(res.headers.get('cache-control')).toBe(cache)
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'")
    }
    const html = await (await gw.request('/', { token: null })).text()
    expect(html).toContain('<base href="/" />')
    expect(html).toContain('<script type="module" src="app.js"></script>')
    expect(html).not.toMatch(/<script>|\son\w+=|https?:\/\//)
    const ico = new Uint8Array(await (await gw.request('/favicon.ico', { token: null })).arrayBuffer())
    expect([...ico.slice(0, 4)]).toEqual([0, 0, 1, 0])
  })
})

describe('protocol and generated docs', async () => {
  const gw = await testGateway()

  it('has one schema per event type, and every event parses through the union', () => {
    expect(appEventTypes).toContain('stream_chunk')
    expect(appEventTypes).toContain('turn_cost')
    expect(appEventTypes).toContain('resync')
    for (const type of appEventTypes) expect(eventSchemas[type].shape.type.value).toBe(type)
    expect(AppEvent.parse({ type: 'response', content: 'hi', thread_id: 't' })).toEqual({ type: 'response', content: 'hi', thread_id: 't' })
    expect(() => AppEvent.parse({ type: 'response', content: 'hi' })).toThrow()
    expect(() => AppEvent.parse({ type: 'nope' })).toThrow()
  })

  it('validates WebSocket client frames', () => {
    expect(WsClientFrame.parse({ type: 'message', content: 'x' })).toEqual({ type: 'message', content: 'x', images: [] })
    expect(WsClientFrame.safeParse({ type: 'teleport' }).success).toBe(false)
    expect(WsClientFrame.safeParse({ type: 'message' }).success).toBe(false)
  })

  it('serves an OpenAPI document built from the route schemas', async () => {
    const res = await gw.request('/api/openapi.json', { token: null })
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties: Record<string, unknown> } }> }; responses: Record<string, unknown> }>> }
    expect(doc.openapi).toBe('3.0.3')
    const send = doc.paths['/api/chat/send']!.post!
    expect(Object.keys(send.requestBody!.content['application/json']!.schema.properties)).toEqual(
      expect.arrayContaining(['content', 'thread_id', 'images']),
    )
    expect(send.responses['202']).toBeDefined()
    expect(doc.paths['/api/health']!.get).toBeDefined()
    expect(doc.paths['/api/chat/events']!.get).toBeDefined()
  })

  it('serves JSON Schema for events and frames', async () => {
    const res = await gw.request('/api/events.schema.json', { token: null })
    const schema = (await res.json()) as { $defs: Record<string, { oneOf?: unknown[]; anyOf?: unknown[] }> }
    const variants = schema.$defs.AppEvent!.oneOf ?? schema.$defs.AppEvent!.anyOf!
    expect(variants).toHaveLength(appEventTypes.length)
    expect(z.toJSONSchema(WsClientFrame, { io: 'input' })).toBeTruthy()
  })
})
