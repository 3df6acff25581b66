import { getLogger } from '@logtape/logtape'
import type { Context, ErrorHandler, NotFoundHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { GatewayEnv } from '../ports/env'
import { GatewayError } from '../lib/errors'
import { isDatabaseUnavailable } from '../store/unavailable'

const log = getLogger(['gateway', 'http'])

const CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  421: 'host_not_allowed',
  429: 'rate_limited',
  431: 'headers_too_large',
  503: 'unavailable',
}

const OPENAI_TYPES: Record<number, [type: string, code: string | null]> = {
  400: ['invalid_request_error', null],
  401: ['authentication_error', 'invalid_api_key'],
  403: ['permission_error', null],
  404: ['invalid_request_error', 'not_found'],
  413: ['invalid_request_error', 'payload_too_large'],
  415: ['invalid_request_error', 'unsupported_media_type'],
  429: ['rate_limit_error', 'rate_limit_exceeded'],
  503: ['server_error', 'service_unavailable'],
}

/**
 * The one error path. Known failures render `{"error":{"code","message"}}` with their status;
 * anything else is a 500 that carries only a request id (logged with the stack, never sent).
 */
export const errorHandler: ErrorHandler<GatewayEnv> = (err, c) => {
  if (err instanceof GatewayError) {
    return render(c, err.status, { code: err.code, message: err.message, details: err.details, openai: err.openai, extra: err.body }, err.headers)
  }
  if (err instanceof HTTPException) {
    const status = err.status as ContentfulStatusCode
    return render(c, status, { code: CODES[status] ?? 'error', message: err.message || statusText(status) })
  }
  if (isDatabaseUnavailable(err)) {
    // Logged without the error itself: driver messages can carry the host and port.
    log.warn('database unavailable in {method} {path}', { method: c.req.method, path: c.req.path })
    return render(c, 503, { code: 'database_unavailable', message: 'The database is unavailable; try again shortly' }, { 'Retry-After': '5' })
  }
  const requestId = crypto.randomUUID()
  log.error('unhandled error in {method} {path} (request {requestId}): {error}', {
    method: c.req.method,
    path: c.req.path,
    requestId,
    error: err,
  })
  return render(c, 500, { code: 'internal_error', message: 'Internal server error', requestId })
}

export const notFoundHandler: NotFoundHandler<GatewayEnv> = (c) =>
  render(c, 404, { code: 'not_found', message: `No route for ${c.req.method} ${c.req.path}` })

/** What an error response says; `extra` fields go beside `error` (an `ActionResponse`'s `success`, `message`). */
interface Rendered {
  code: string
  message: string
  details?: unknown
  /** Set on a 500 only: the id the log line carries, so an operator can find the stack. */
  requestId?: string | undefined
  openai?: { type?: string; code?: string | null } | undefined
  extra?: Record<string, unknown> | undefined
}

function render(c: Context<GatewayEnv>, status: ContentfulStatusCode, { code, message, details, requestId, openai, extra }: Rendered, headers?: Record<string, string>): Response {
  const h = new Headers(headers)
  h.set('Content-Type', 'application/json; charset=utf-8')
  h.set('Cache-Control', 'no-store')
  if (requestId) h.set('X-Request-Id', requestId)
  if (c.get('errorShape') === 'openai') {
    const [defaultType, defaultCode] = OPENAI_TYPES[status] ?? (status >= 500 ? ['server_error', 'internal_error'] : ['invalid_request_error', code])
    const type = openai?.type ?? defaultType
    const openaiCode = openai && 'code' in openai ? (openai.code ?? null) : (defaultCode ?? code)
    const body = { error: { message, type, param: null, code: openaiCode } }
    return new Response(JSON.stringify(body), { status, headers: h })
  }
  const body = { ...extra, error: { code, message, ...(requestId ? { request_id: requestId } : {}), ...(details === undefined ? {} : { details }) } }
  return new Response(JSON.stringify(body), { status, headers: h })
}

const statusText = (status: number): string =>
  ({ 413: 'Payload too large', 415: 'Unsupported media type', 431: 'Request headers too large' })[status] ??
  'Request failed'
