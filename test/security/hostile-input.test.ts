import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { configureLogging, GatewayLogging } from '../../src/logging/gateway-logging'
import { mockLlmConfig } from '../support/agent'
import { startTestServer, TEST_TOKEN, type TestServer } from '../support/gateway'
import { MockLlm } from '../support/mock-llm'
import { freshRequest } from '../support/raw-http'

type Schema = { properties?: Record<string, unknown>; $ref?: string }
type Operation = { requestBody?: { content?: Record<string, { schema?: Schema }> }; parameters?: Array<{ name: string; in: string }> }
type OpenApi = { paths: Record<string, Record<string, Operation>>; components?: { schemas?: Record<string, Schema> } }

/** JSON texts that have broken parsers and handlers elsewhere. */
const HOSTILE_TEXTS = [
  '', '{', '[', 'null', 'true', '0', '"x"', '[]', '{}', '{"a":1} trailing', '{"a":1}{"b":2}', '[' .repeat(100_000), '{"a":'.repeat(50_000),
  '{"__proto__":{"isAdmin":true,"polluted":true}}', '{"constructor":{"prototype":{"polluted":true}}}', '{"content":"\\ud800"}',
  '{"content":"a\\u0000b","path":"a\\u0000b","name":"a\\u0000b"}', '1e999999', '{"limit":1e308,"offset":-1}', '\uFEFF{}', '{"a":1,"a":2}',
  '{"content":{"toString":null}}', '{"name":[],"value":{}}', 'NaN', '{"x":Infinity}',
]

const SAFE_ID = '00000000-0000-4000-8000-000000000000'
const fill = (path: string) => path.replace(/\{[^}]+\}/g, SAFE_ID)

/**
 * security-bar.md 19-21 and 42 as properties: every operation in the OpenAPI document (so routes
 * added later are covered too) is fed hostile and random JSON bodies and query strings. A
 * 2xx or 4xx with the error envelope is fine; a 500 or a stack is a defect.
 */
describe('hostile input at every documented operation', () => {
  let t: TestServer
  let doc: OpenApi
  let llm: MockLlm
  beforeAll(async () => {
    // Every subsystem on, so bodies reach the handlers instead of a 503 `*_unavailable`.
    llm = await MockLlm.start()
    const logging = new GatewayLogging({ level: 'info' })
    await configureLogging(logging)
    t = await startTestServer({ logging, config: { llm: mockLlmConfig(llm), limits: { chatMessagesPerWindow: 1_000_000 } } })
    doc = (await (await fetch(`${t.url}/api/openapi.json`)).json()) as OpenApi
  })
  afterAll(async () => {
    await t.close()
    await llm.close()
  })

  const schemaOf = (op: Operation): Schema | undefined => {
    let schema = op.requestBody?.content?.['application/json']?.schema
    if (schema?.$ref) schema = doc.components?.schemas?.[schema.$ref.split('/').pop()!]
    return schema
  }
  const bodyOps = () =>
    Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        // JSON operations only: a multipart-only upload route has its own hostile-input tests.
        .filter(([method, op]) => ['post', 'put', 'patch'].includes(method) && op.requestBody?.content?.['application/json'])
        .map(([method, op]) => ({
          method: method.toUpperCase(),
          path: fill(path),
          fields: Object.keys(schemaOf(op)?.properties ?? {}),
          accepts: Object.keys(op.requestBody?.content ?? {}),
        })),
    )

  type Answer = Awaited<ReturnType<typeof freshRequest>>
  const expectSane = (res: Answer, what: string) => {
    const text = res.text
    // 5xx only for a named upstream or subsystem condition (a 502 from the model, a 503 for a
    // job command that is not configured), never the catch-all 500.
    expect(res.status, `${what} -> ${res.status} ${text.slice(0, 200)}`).not.toBe(500)
    if (res.status < 400) return
    if (String(res.headers['content-type']).includes('json')) {
      const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } }
      // `/v1` answers in OpenAI's error shape, which also has `error.code` and `error.message`.
      expect(typeof body.error?.message, what).toBe('string')
      expect(body.error?.code, what).not.toBe('internal_error')
    }
    expect(text, what).not.toMatch(/at [\w.<>]+ \(|node_modules|\.ts:\d+|\/tmp\//)
    expect(text, what).not.toContain(TEST_TOKEN)
  }

  const send = (method: string, path: string, body: string, headers: Record<string, string> = {}) =>
    freshRequest(`${t.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json', 'x-confirm-action': 'true', ...headers },
      body,
    })

  it('documents enough operations for this to mean something', () => {
    expect(bodyOps().length).toBeGreaterThan(20)
  })

  it('answers known-hostile JSON texts with 4xx, never 500, and leaves prototypes alone', async () => {
    for (const op of bodyOps()) {
      for (const text of HOSTILE_TEXTS) expectSane(await send(op.method, op.path, text), `${op.method} ${op.path} ${text.slice(0, 40)}`)
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml']) {
        // A type the operation documents (chat/send also takes multipart) is parsed, not refused.
        if (op.accepts.includes(type.split(';')[0]!)) continue
        const res = await send(op.method, op.path, '{}', { 'content-type': type })
        expect(res.status, `${op.method} ${op.path} as ${type}`).toBe(415)
      }
    }
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined()
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('answers well-formed JSON nested deeper than 64 levels with 400 invalid_request at every operation (issue 19)', async () => {
    const deep = (levels: number) => '['.repeat(levels) + ']'.repeat(levels)
    for (const op of bodyOps()) {
      const bodies = [deep(5_000), `{"a":${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}}`, ...op.fields.map((f) => `{${JSON.stringify(f)}:${deep(65)}}`)]
      for (const body of bodies) {
        const res = await send(op.method, op.path, body)
        expectSane(res, `${op.method} ${op.path} deep`)
        expect(res.status, `${op.method} ${op.path}`).toBe(400)
        const error = (JSON.parse(res.text) as { error: { code: string | null; type?: string; message: string } }).error
        // `/v1` speaks OpenAI's shape (type, code null); everything else the gateway's code.
        if (op.path.startsWith('/v1/')) expect(error.type).toBe('invalid_request_error')
        else expect(error.code, `${op.method} ${op.path}`).toBe('invalid_request')
        expect(error.message).toMatch(/nested deeper than 64/)
      }
    }
  })

  it('property: the documented fields with values of any JSON type never make a 500', async () => {
    const ops = bodyOps()
    const body = fc.constantFrom(...ops).chain((op) =>
      fc
        .record(Object.fromEntries(op.fields.map((f) => [f, fc.jsonValue({ maxDepth: 3 })])), { requiredKeys: [] })
        .chain((known) => fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }).map((extra) => ({ op, json: { ...extra, ...known } }))),
    )
    await fc.assert(
      fc.asyncProperty(body, async ({ op, json }) => {
        expectSane(await send(op.method, op.path, JSON.stringify(json)), `${op.method} ${op.path} ${JSON.stringify(json).slice(0, 200)}`)
      }),
      { numRuns: 600 },
    )
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined()
  })

  it('property: any query string on any documented GET never makes a 500', async () => {
    const gets = Object.entries(doc.paths).flatMap(([path, ops]) =>
      // The JSON API: streams, the app shell, the docs and /projects have their own tests.
      ops.get && /^\/(api|v1)\//.test(path) && !/\/events$|\/ws$|openapi|schema\.json/.test(path)
        ? [{ path: fill(path), params: (ops.get.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name) }]
        : [],
    )
    const value = fc.oneof(
      fc.constantFrom('-1', '0', '1e9', 'NaN', 'Infinity', '99999999999999999999', "' OR 1=1--", "%';DROP TABLE x;--", 'foo & | !(', ':*', '\\', '%00', '%ff', '[]', 'true', 'name;--'),
      fc.string({ maxLength: 40 }).map(encodeURIComponent),
    )
    const request = fc.constantFrom(...gets).chain((op) =>
      fc.tuple(fc.constant(op.path), fc.array(fc.tuple(fc.constantFrom(...op.params, 'limit', 'offset', 'sort', 'cursor', 'q'), value), { maxLength: 4 })),
    )
    await fc.assert(
      fc.asyncProperty(request, async ([path, params]) => {
        const query = params.map(([k, v]) => `${k}=${v}`).join('&')
        expectSane(await freshRequest(`${t.url}${path}?${query}`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } }), `GET ${path}?${query}`)
      }),
      { numRuns: 400 },
    )
  })
})
