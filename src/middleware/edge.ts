import type { Context, MiddlewareHandler } from 'hono'
import type { GatewayEnv } from '../ports/env'
import type { RuntimeCapabilities } from '../ports/runtime'
import type { AccessLog } from './access-log'
import { bodyLimit } from './body-limit'
import { applyCorsHeaders, corsHeaders, type CorsPolicy } from './cors'
import { errorHandler } from './error-handler'
import { checkHost } from './host-check'
import { isMountRoot } from './mount-root'
import type { OriginPolicy } from './origin-policy'
import { applySecurityHeaders, editResponseHeaders, requestIsSecure, securityHeadersFor } from './security-headers'

export interface EdgeOptions {
  origins: OriginPolicy
  cors: CorsPolicy
  /** Paths without CORS: the WebSocket route, whose Origin check refuses the upgrade instead. */
  corsSkip: (path: string) => boolean
  bodyLimitBytes: number
  accessLog: AccessLog
  runtime: Pick<RuntimeCapabilities, 'baseHeaders'>
  /** The web app's page, answered at `<mount>/` as at `<mount>` (none: such requests go on to the routes). */
  page?: (c: Context) => Promise<Response>
}

/**
 * What every request passes before its route, in order: the access-log clock, the Host check
 * (DNS rebinding), the page at the mount root with its slash, CORS (preflights answered here), the body limit; and
 * on the way out, the security and CORS headers on every response, errors and 404s included.
 *
 * One middleware and not six: each Hono middleware is a dispatch (an async frame, a promise, a
 * closure) on every request: folding six into one took about a tenth off `/api/health`'s CPU time
 * (bench: `http`).
 * A check that fails here is rendered by the one error handler and still gets the headers.
 */
export function edge(options: EdgeOptions): MiddlewareHandler<GatewayEnv> {
  const { origins, cors, corsSkip, accessLog, runtime } = options
  const limitBody = bodyLimit(options.bodyLimitBytes)
  return async function edge(c, next) {
    const started = accessLog.start()
    const secure = requestIsSecure(c)
    const withCors = !corsSkip(c.req.path)
    let allowed: string | undefined
    // Whether the runtime already put the headers on its response, under the handler's own (Node).
    let headersSet = false
    try {
      checkHost(c, origins)
      if (withCors) {
        allowed = cors.allowedOrigin(c)
        // For responses that write their own headers before the handler returns (SSE on Node).
        if (allowed) c.set('allowedOrigin', allowed)
      }
      headersSet = runtime.baseHeaders?.(c, responseHeaders(secure, withCors, allowed)) ?? false
      if (options.page && isMountRoot(c)) c.res = await options.page(c)
      else if (withCors && c.req.method === 'OPTIONS') c.res = (await cors.preflight(c, next)) ?? c.res
      else await limitBody(c, next)
    } catch (error) {
      // Errors thrown past the route were rendered already; these are the checks above.
      if (!(error instanceof Error)) throw error
      c.error = error
      c.res = await errorHandler(error, c)
    }
    if (started !== undefined) accessLog.finish(c, started)
    // A stream that wrote its own response, or a WebSocket upgrade (101: Deno's is immutable).
    if (headersSet || c.get('responseSent') || c.res.status === 101) return
    editResponseHeaders(c, (headers) => {
      applySecurityHeaders(headers, secure)
      if (withCors) applyCorsHeaders(headers, allowed)
    })
  }
}

const VARY_ORIGIN = { Vary: 'Origin' }
const PLAIN = { secure: securityHeadersFor(true), insecure: securityHeadersFor(false) }
const WITH_VARY = { secure: { ...PLAIN.secure, ...VARY_ORIGIN }, insecure: { ...PLAIN.insecure, ...VARY_ORIGIN } }

/** Security headers plus CORS's, as one record (shared for the common cases, no allocation). */
function responseHeaders(secure: boolean, withCors: boolean, allowed: string | undefined): Readonly<Record<string, string>> {
  const key = secure ? 'secure' : 'insecure'
  if (!withCors) return PLAIN[key]
  return allowed ? { ...PLAIN[key], ...corsHeaders(allowed) } : WITH_VARY[key]
}
