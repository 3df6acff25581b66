/**
 * The one place the app talks HTTP: the session cookie (with its CSRF token on writes) or, without
 * cookie sessions (no database), the tab's bearer token; JSON in and out, and the
 * gateway's error envelope turned into an `ApiError`. A 401 anywhere signs the tab out.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message)
    this.name = 'ApiError'
  }

  /**
   * The subsystem is not enabled on this gateway (503 `<name>_unavailable`), or this gateway
   * has no such route at all (an older or trimmed-down build).
   */
  get unavailable(): boolean {
    return (this.status === 503 && this.code.endsWith('_unavailable')) || this.routeMissing
  }

  get routeMissing(): boolean {
    return this.status === 404 && this.code === 'not_found' && this.message.startsWith('No route for')
  }

  get network(): boolean {
    return this.status === 0
  }
}

let token: string | undefined
/** The cookie session's CSRF token: sent on every write, since the cookie goes with every request. */
let csrfToken: string | undefined
let onUnauthorized: (() => void) | undefined

export const setToken = (value: string | undefined): void => {
  token = value
}
export const setCsrfToken = (value: string | undefined): void => {
  csrfToken = value
}
export const currentToken = (): string | undefined => token
export const handleUnauthorized = (fn: () => void): void => {
  onUnauthorized = fn
}

export type Query = Record<string, string | number | boolean | null | undefined>

export interface RequestOptions {
  query?: Query
  body?: unknown
  /** A multipart body (file uploads); the browser sets its Content-Type and boundary. */
  form?: FormData
  headers?: Record<string, string>
  signal?: AbortSignal
  /** Do not sign out on 401 (the sign-in probe itself). */
  probe?: boolean
}

export function withQuery(path: string, query?: Query): string {
  if (!query) return path
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== null && value !== '') params.set(key, String(value))
  const qs = params.toString()
  return qs ? `${path}?${qs}` : path
}

/**
 * A gateway path as a URL under the mount the page came from. The gateway serves the page with
 * `<base href="<mount>/">` (`/`, `/agent/`, a host app's route), so `/api/health` becomes
 * `/agent/api/health` there. Root-relative links the gateway returns (a job's `browse_url` and
 * `events_url`) are gateway paths too. Absolute URLs (`https:`, `//host`) are left alone.
 */
export function gatewayUrl(path: string): string {
  if (/^([a-z][a-z0-9+.-]*:|\/\/)/i.test(path)) return path
  return new URL(path.replace(/^\/+/, ''), document.baseURI).href
}

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers }
  if (token && !headers.Authorization) headers.Authorization = `Bearer ${token}`
  else if (csrfToken && method !== 'GET' && method !== 'HEAD') headers['X-CSRF-Token'] = csrfToken
  let body: BodyInit | undefined
  if (options.form) body = options.form
  else if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json'
    body = JSON.stringify(options.body)
  }
  let res: Response
  try {
    res = await fetch(gatewayUrl(withQuery(path, options.query)), { method, headers, body, signal: options.signal ?? null, credentials: 'same-origin' })
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error
    throw new ApiError(0, 'network_error', 'Cannot reach the gateway. Check that it is running.')
  }
  if (res.status === 401 && !options.probe) onUnauthorized?.()
  if (!res.ok) throw await toError(res)
  if (res.status === 204) return undefined as T
  const text = await res.text()
  if (!text) return undefined as T
  try {
    return JSON.parse(text) as T
  } catch {
    return text as T
  }
}

async function toError(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => '')
  try {
    const parsed = JSON.parse(text) as { error?: { code?: string; message?: string; details?: unknown } | string; message?: string }
    if (parsed.error && typeof parsed.error === 'object') {
      return new ApiError(res.status, parsed.error.code ?? `http_${res.status}`, parsed.error.message ?? res.statusText, parsed.error.details)
    }
    if (typeof parsed.message === 'string') return new ApiError(res.status, `http_${res.status}`, parsed.message, parsed)
  } catch {
    // plain text body
  }
  const message = text.trim().slice(0, 300) || defaultMessage(res.status)
  return new ApiError(res.status, res.status === 503 ? 'unavailable' : `http_${res.status}`, message)
}

const defaultMessage = (status: number): string =>
  ({ 400: 'Bad request', 401: 'Not signed in', 403: 'Not allowed', 404: 'Not found', 409: 'Conflict', 413: 'Too large', 415: 'That type of file is not accepted', 429: 'Too many requests; try again shortly', 503: 'Not available' })[status] ??
  `Request failed (${status})`

export const get = <T>(path: string, query?: Query, signal?: AbortSignal) => request<T>('GET', path, { query, ...(signal ? { signal } : {}) })
export const post = <T>(path: string, body?: unknown, headers?: Record<string, string>) =>
  request<T>('POST', path, { body: body ?? {}, ...(headers ? { headers } : {}) })
export const put = <T>(path: string, body: unknown) => request<T>('PUT', path, { body })
export const patch = <T>(path: string, body: unknown) => request<T>('PATCH', path, { body })
export const del = <T>(path: string, headers?: Record<string, string>) => request<T>('DELETE', path, headers ? { headers } : {})

/** A path segment, encoded. */
export const seg = (value: string): string => encodeURIComponent(value)
