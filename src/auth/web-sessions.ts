import type { Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { constantTimeEqual, type Sha256, toHex, webSha256 } from '../lib/crypto'
import { GatewayError } from '../lib/errors'
import type { OriginPolicy } from '../middleware/origin-policy'
import { requestIsSecure } from '../middleware/security-headers'
import type { TrustedProxy } from './trusted-proxy'

export const SESSION_COOKIE = 'gateway_session'
export const CSRF_HEADER = 'x-csrf-token'
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * The web app's cookie: HttpOnly (no script reads it), SameSite=Strict (no other site's page
 * sends it), Secure over TLS or when `GATEWAY_PUBLIC_URL` is https, scoped to the gateway's
 * mount. Its value is a 256-bit secret, stored only as its SHA-256 (`web_sessions`).
 *
 * A request it authenticates that changes state (anything but GET/HEAD/OPTIONS) must also come
 * from an allowed Origin and carry `X-CSRF-Token`, derived from the secret: a page that cannot
 * read the cookie cannot compute it, and it needs no storage. Bearer requests are not affected:
 * a browser never adds their header by itself.
 */
export class WebSessions {
  constructor(
    private readonly options: {
      origins: OriginPolicy
      trustedProxy: TrustedProxy
      publicUrl: string | undefined
      /** The gateway's mount (`/agent`), or '' at the root. */
      basePath: string
      ttlMs: number
      sha256?: Sha256 | undefined
    },
  ) {}

  get trustedProxy(): TrustedProxy {
    return this.options.trustedProxy
  }

  secret(c: Context): string | undefined {
    const value = getCookie(c, SESSION_COOKIE)
    return value && /^[0-9a-f]{64}$/.test(value) ? value : undefined
  }

  /** The CSRF token of a session secret (hex SHA-256 of a label and the secret). */
  async csrfToken(secret: string): Promise<string> {
    return toHex(await (this.options.sha256 ?? webSha256)(`gateway-csrf:${secret}`))
  }

  /** Refuses (403 `csrf_failed`) a state-changing cookie request without the right Origin and token. */
  async checkCsrf(c: Context, secret: string): Promise<void> {
    if (SAFE_METHODS.has(c.req.method)) return
    const origin = c.req.header('origin')
    if (!this.options.origins.allows(origin, c.req.url)) {
      throw new GatewayError(403, 'csrf_failed', origin ? `Requests signed in by the session cookie are refused from origin ${origin}` : 'Requests signed in by the session cookie must carry an Origin header')
    }
    const presented = c.req.header(CSRF_HEADER)
    const expected = await this.csrfToken(secret)
    if (!presented || presented.length !== expected.length || !constantTimeEqual(new TextEncoder().encode(presented), new TextEncoder().encode(expected))) {
      throw new GatewayError(403, 'csrf_failed', 'Missing or wrong X-CSRF-Token: requests signed in by the session cookie must send the token GET /api/auth/session returns')
    }
  }

  set(c: Context, secret: string): void {
    setCookie(c, SESSION_COOKIE, secret, {
      httpOnly: true,
      sameSite: 'Strict',
      secure: this.#secure(c),
      path: this.options.basePath || '/',
      maxAge: Math.floor(this.options.ttlMs / 1000),
    })
  }

  clear(c: Context): void {
    deleteCookie(c, SESSION_COOKIE, { path: this.options.basePath || '/', secure: this.#secure(c), httpOnly: true, sameSite: 'Strict' })
  }

  #secure(c: Context): boolean {
    return requestIsSecure(c) || (this.options.publicUrl?.startsWith('https:') ?? false)
  }
}
