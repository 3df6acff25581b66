import type { Context } from 'hono'

/**
 * Strict CSP: only our own bundled script and style, no CDN, no inline code, no framing.
 * The web app is built to run under it (no inline handlers, no inline `<script>`/`<style>`).
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ')

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
}

const SECURE_HEADERS: Readonly<Record<string, string>> = {
  ...SECURITY_HEADERS,
  'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
}

/** Adds the security headers to a header set unless a handler chose its own (e.g. a sandbox CSP). */
export function applySecurityHeaders(headers: Headers, secure: boolean): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) if (!headers.has(name)) headers.set(name, value)
  if (secure && !headers.has('Strict-Transport-Security')) {
    headers.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains')
  }
}

/** The security headers of a response to this request: HSTS too when it was served over TLS. */
export const securityHeadersFor = (secure: boolean): Readonly<Record<string, string>> => (secure ? SECURE_HEADERS : SECURITY_HEADERS)

/** Served over TLS, directly or behind a proxy that says so (HSTS is sent only then). */
export const requestIsSecure = (c: Context): boolean =>
  c.req.url.startsWith('https:') || c.req.header('x-forwarded-proto') === 'https'

/**
 * Edits the headers of the response a handler returned, in place. Not `c.header()`: after the
 * handler, that rebuilds the response around a Web Streams body, which takes @hono/node-server
 * off its fast path for string bodies (bench: `http`). Immutable headers (a Response from
 * `fetch`) are copied into a mutable response first.
 */
export function editResponseHeaders(c: Context, edit: (headers: Headers) => void): void {
  try {
    edit(c.res.headers)
  } catch {
    c.res = new Response(c.res.body, c.res)
    edit(c.res.headers)
  }
}
