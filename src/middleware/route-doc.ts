import type { Hono, MiddlewareHandler } from 'hono'
import { z } from 'zod'

/** What a route says about itself; collected from its middleware into `/api/openapi.json`. */
export interface RouteDoc {
  summary?: string
  description?: string
  tags?: string[]
  body?: z.ZodType
  /** Fields of a `multipart/form-data` body (beside or instead of the JSON `body`). */
  form?: z.ZodType
  query?: z.ZodType
  params?: z.ZodType
  response?: z.ZodType
  /** Success status (default 200). */
  status?: number
  /** `false` for public routes. */
  auth?: boolean
  /** The route streams `text/event-stream`. */
  sse?: boolean
}

const DOC = Symbol.for('gateway.routeDoc')

export function attachDoc<F extends object>(fn: F, doc: RouteDoc): F {
  Object.defineProperty(fn, DOC, { value: doc })
  return fn
}

/**
 * A no-op middleware that documents a route:
 * `.get('/threads', routeDoc({ summary: 'List threads', response: ThreadList }), handler)`.
 */
export function routeDoc(doc: RouteDoc): MiddlewareHandler {
  // Not async: a pass-through costs no promise of its own on every request (where a router runs it).
  const middleware: MiddlewareHandler = attachDoc(function routeDoc(_c, next) {
    return next()
  }, doc)
  Object.defineProperty(middleware, DOC_ONLY, { value: true })
  return middleware
}

const DOC_ONLY = Symbol('doc only')

/** Whether a handler is `routeDoc()`'s: documentation only, nothing to run (see `StaticFirstRouter`). */
export const isDocOnly = (handler: unknown): boolean => typeof handler === 'function' && DOC_ONLY in handler

const toJsonSchema = (schema: z.ZodType, io: 'input' | 'output'): unknown => {
  try {
    return z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'openapi-3.0' })
  } catch {
    return {}
  }
}

/** Builds an OpenAPI 3.0 document from the routes of a Hono app and the docs of their middleware. */
export function buildOpenApi(
  app: Hono<any, any, any>,
  info: { title: string; version: string; basePath?: string; routePrefix?: string; serverUrl?: string },
): object {
  const paths: Record<string, Record<string, Record<string, unknown>>> = {}
  const merged = new Map<string, RouteDoc & { method: string; path: string }>()
  for (const route of app.routes) {
    if (route.method === 'ALL' || route.path.includes('*')) continue
    const key = `${route.method} ${route.path}`
    const doc = (route.handler as { [DOC]?: RouteDoc })[DOC]
    const entry = merged.get(key) ?? { method: route.method, path: route.path }
    merged.set(key, doc ? { ...entry, ...doc } : entry)
  }
  for (const entry of merged.values()) {
    // Paths are the API's own (`/api/...`); where it is mounted goes in `servers`.
    const own = info.routePrefix && entry.path.startsWith(info.routePrefix) ? entry.path.slice(info.routePrefix.length) || '/' : entry.path
    const path = (info.basePath ?? '') + own.replace(/:(\w+)(\{[^}]*\})?/g, '{$1}')
    const operation: Record<string, unknown> = {
      summary: entry.summary,
      description: entry.description,
      tags: entry.tags ?? [path.split('/')[2] ?? 'gateway'],
      security: entry.auth === false ? [] : undefined,
    }
    const parameters: unknown[] = []
    for (const name of [...entry.path.matchAll(/:(\w+)/g)].map((m) => m[1]!)) {
      parameters.push({ name, in: 'path', required: true, schema: { type: 'string' } })
    }
    if (entry.query) {
      const schema = toJsonSchema(entry.query, 'input') as { properties?: Record<string, unknown>; required?: string[] }
      for (const [name, prop] of Object.entries(schema.properties ?? {})) {
        parameters.push({ name, in: 'query', required: schema.required?.includes(name) ?? false, schema: prop })
      }
    }
    if (parameters.length) operation.parameters = parameters
    if (entry.body || entry.form) {
      const content: Record<string, unknown> = {}
      if (entry.body) content['application/json'] = { schema: toJsonSchema(entry.body, 'input') }
      if (entry.form) content['multipart/form-data'] = { schema: toJsonSchema(entry.form, 'input') }
      operation.requestBody = { required: true, content }
    }
    const status = String(entry.status ?? 200)
    const content = entry.sse
      ? { 'text/event-stream': { schema: { type: 'string' } } }
      : entry.response
        ? { 'application/json': { schema: toJsonSchema(entry.response, 'output') } }
        : undefined
    operation.responses = {
      [status]: { description: 'Success', ...(content ? { content } : {}) },
      default: { description: 'Error', content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorEnvelope' } } } },
    }
    ;(paths[path] ??= {})[entry.method.toLowerCase()] = JSON.parse(JSON.stringify(operation))
  }
  return {
    openapi: '3.0.3',
    info: { title: info.title, version: info.version },
    ...(info.serverUrl ? { servers: [{ url: info.serverUrl }] } : {}),
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        ErrorEnvelope: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: { code: { type: 'string' }, message: { type: 'string' }, request_id: { type: 'string' }, details: {} },
            },
          },
        },
      },
    },
    security: [{ bearer: [] }],
  }
}
