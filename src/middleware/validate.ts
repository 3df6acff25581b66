import type { MiddlewareHandler } from 'hono'
import { z } from 'zod'
import type { GatewayEnv } from '../ports/env'
import { badRequest, GatewayError } from '../lib/errors'
import { exceedsJsonDepth, MAX_JSON_DEPTH } from '../lib/json-depth'
import { LruMap } from '../lib/lru'
import { attachDoc } from './route-doc'

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i

type Validated<Target extends 'json' | 'query' | 'param', S extends z.ZodType> = MiddlewareHandler<
  GatewayEnv,
  string,
  { in: { [K in Target]: z.input<S> }; out: { [K in Target]: z.output<S> } }
>

/** Drops `__proto__` keys while parsing, so no parsed object can carry a prototype setter. */
const dropProto = (key: string, value: unknown): unknown => (key === '__proto__' ? undefined : value)

/**
 * Parses untrusted JSON text (every request body and WebSocket frame comes through here): 400
 * `invalid_request` when it nests deeper than `MAX_JSON_DEPTH`, before anything recurses into
 * it; `__proto__` keys are removed (the substring test keeps the common path fast). Throws
 * `SyntaxError` for text that is not JSON.
 */
export function parseJson(text: string): unknown {
  if (exceedsJsonDepth(text)) throw badRequest('invalid_request', `JSON nested deeper than ${MAX_JSON_DEPTH} levels`)
  return text.includes('__proto__') ? JSON.parse(text, dropProto) : JSON.parse(text)
}

function issues(error: z.ZodError): { message: string; details: unknown } {
  const details = error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message, code: issue.code }))
  const first = details[0]
  return { message: first ? `${first.path || 'body'}: ${first.message}` : 'Invalid request', details }
}

/**
 * Validates a JSON body: 415 unless the Content-Type is JSON, 400 `invalid_json` when it does not
 * parse, 400 `invalid_request` with the zod issues when it does not match. Read it with
 * `c.req.valid('json')`; the schema also documents the route in `/api/openapi.json`.
 */
export function jsonBody<S extends z.ZodType>(schema: S): Validated<'json', S> {
  const middleware: Validated<'json', S> = async function jsonBody(c, next) {
    if (!JSON_TYPE.test(c.req.header('content-type') ?? '')) {
      throw new GatewayError(415, 'unsupported_media_type', 'Expected Content-Type: application/json')
    }
    const text = await c.req.text()
    let raw: unknown
    try {
      raw = parseJson(text)
    } catch (error) {
      if (error instanceof GatewayError) throw error
      throw badRequest('invalid_json', 'Malformed JSON in request body')
    }
    const result = schema.safeParse(raw)
    if (!result.success) {
      const { message, details } = issues(result.error)
      throw badRequest('invalid_request', message, details)
    }
    c.req.addValidatedData('json', result.data as object)
    await next()
  }
  return attachDoc(middleware, { body: schema })
}

/** Like `jsonBody`, for an optional body: no body (or no Content-Type) parses `{}`. */
export function optionalJsonBody<S extends z.ZodType>(schema: S): Validated<'json', S> {
  const required = jsonBody(schema)
  const middleware: Validated<'json', S> = async function optionalJsonBody(c, next) {
    const length = c.req.header('content-length')
    const hasBody = c.req.header('content-type') !== undefined || (length !== undefined && length !== '0') || c.req.header('transfer-encoding') !== undefined
    if (hasBody) return required(c, next)
    const result = schema.safeParse({})
    if (!result.success) throw badRequest('invalid_request', issues(result.error).message, issues(result.error).details)
    c.req.addValidatedData('json', result.data as object)
    await next()
  }
  return attachDoc(middleware, { body: schema })
}

/**
 * Validates query parameters (first value of each); use `z.coerce` for numbers. 400 `invalid_query`.
 * Polling clients send the same query string again and again (a thread's history every few
 * seconds), so results are kept by query string and each request gets its own copy: parsing and
 * validating was ~4 us of such a request (bench: `http GET /api/chat/history`). Query schemas
 * must therefore be pure functions of the string (no defaults that read the clock).
 */
export function query<S extends z.ZodType>(schema: S): Validated<'query', S> {
  const known = new LruMap<string, object>(64)
  // Not async: nothing here waits, and a middleware that awaits costs a promise on every request.
  const middleware: Validated<'query', S> = function query(c, next) {
    const url = c.req.url
    const at = url.indexOf('?')
    const search = at === -1 ? '' : url.slice(at)
    let data = known.get(search)
    if (data === undefined) {
      const result = schema.safeParse(queryOf(url))
      if (!result.success) {
        const { message, details } = issues(result.error)
        throw badRequest('invalid_query', message, details)
      }
      data = result.data as object
      if (search.length <= MAX_KEPT_QUERY) known.set(search, data)
    }
    c.req.addValidatedData('query', { ...data })
    return next()
  }
  return attachDoc(middleware, { query: schema })
}

/** Longer query strings are validated every time rather than kept. */
const MAX_KEPT_QUERY = 512

/**
 * The query string as `c.req.query()` gives it (the first value of a repeated name, empty names
 * dropped), through the platform's URLSearchParams: Hono's parser cost ~10 us of a request's
 * CPU here, URLSearchParams ~3 (bench: `http GET /api/chat/history`).
 */
export function queryOf(url: string): Record<string, string> {
  const query: Record<string, string> = Object.create(null)
  const at = url.indexOf('?')
  if (at === -1) return query
  const hash = url.indexOf('#', at)
  for (const [name, value] of new URLSearchParams(url.slice(at + 1, hash === -1 ? undefined : hash))) if (name !== '' && !(name in query)) query[name] = value
  return query
}

/** Validates path parameters. 400 `invalid_param` (e.g. a malformed id). */
export function params<S extends z.ZodType>(schema: S): Validated<'param', S> {
  // Not async: nothing here waits, and a middleware that awaits costs a promise on every request.
  const middleware: Validated<'param', S> = function params(c, next) {
    const result = schema.safeParse(c.req.param())
    if (!result.success) {
      const { message, details } = issues(result.error)
      throw badRequest('invalid_param', message, details)
    }
    c.req.addValidatedData('param', result.data as object)
    return next()
  }
  return attachDoc(middleware, { params: schema })
}
