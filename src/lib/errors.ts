import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'

/**
 * The one way a handler fails. Rendered by the error handler as
 * `{"error":{"code","message","details?"}}` (or OpenAI's shape under `/v1`).
 *
 * @example throw new GatewayError(404, 'thread_not_found', 'Thread not found')
 */
export class GatewayError extends HTTPException {
  readonly code: string
  readonly details: unknown
  readonly headers: Record<string, string> | undefined
  /** Fields rendered beside `error` (an `ActionResponse`'s `success`, `message`, `auth_url`...). */
  readonly body: Record<string, unknown> | undefined
  /** Under `/v1`: OpenAI's `type` and `code` for this error, when the status's defaults do not fit. */
  readonly openai: { type?: string; code?: string | null } | undefined

  constructor(
    status: ContentfulStatusCode,
    code: string,
    message: string,
    options: {
      details?: unknown
      headers?: Record<string, string>
      cause?: unknown
      body?: Record<string, unknown>
      openai?: { type?: string; code?: string | null }
    } = {},
  ) {
    super(status, { message, cause: options.cause })
    this.name = 'GatewayError'
    this.code = code
    this.details = options.details
    this.headers = options.headers
    this.body = options.body
    this.openai = options.openai
  }
}

/**
 * A failed action with a real status whose body still reads as an `ActionResponse`
 * (`{"success":false,"message",...,"error":{"code","message"}}`), for clients of either shape.
 *
 * @example throw actionFailure(409, 'extension_needs_setup', "'web-search' needs configuration", { activated: false })
 */
export const actionFailure = (
  status: ContentfulStatusCode,
  code: string,
  message: string,
  extra: Record<string, unknown> = {},
  options: { headers?: Record<string, string> } = {},
): GatewayError => new GatewayError(status, code, message, { body: { success: false, message, ...extra }, ...(options.headers ? { headers: options.headers } : {}) })

/** 503 for a subsystem that is not configured: `{"error":{"code":"memory_unavailable"}}`. */
export const unavailable = (subsystem: string, message?: string): GatewayError =>
  new GatewayError(503, `${subsystem}_unavailable`, message ?? `The ${subsystem} subsystem is not enabled on this gateway`)

export const notFound = (what: string, message?: string): GatewayError =>
  new GatewayError(404, `${what}_not_found`, message ?? `${capitalize(what.replace(/_/g, ' '))} not found`)

export const badRequest = (code: string, message: string, details?: unknown): GatewayError =>
  new GatewayError(400, code, message, { details })

export const conflict = (code: string, message: string): GatewayError => new GatewayError(409, code, message)

export const forbidden = (message = 'Forbidden', code = 'forbidden'): GatewayError =>
  new GatewayError(403, code, message)

/** An error's message for a user or a log line (whatever was thrown). */
export const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error))

const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1)

/**
 * Returns the service when present, else throws the subsystem's 503.
 * Routes call this at request time, so a subsystem wired after start-up is picked up.
 */
export function need<T>(service: T | undefined | null, subsystem: string): T {
  if (service === undefined || service === null) throw unavailable(subsystem)
  return service
}
