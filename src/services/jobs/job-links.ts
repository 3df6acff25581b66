import type { Clock } from '../../lib/time'

const encoder = new TextEncoder()
const SIG = /^[A-Za-z0-9_-]{43}$/

/** What a signed link grants: browsing a job's files, or reading its event stream. */
export type LinkScope = 'browse' | 'events'

const base64url = (bytes: Uint8Array): string => {
  let binary = ''
  for (const b of bytes) binary += String.fromCharCode(b)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

const fromBase64url = (text: string): Uint8Array<ArrayBuffer> => {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'))
  const out = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i)
  return out
}

/**
 * Short-lived capability links for what a browser opens without a bearer header: a job's files in
 * a new tab (`/projects/<job>.<exp>.<sig>/`) and its event stream for EventSource
 * (`?ticket=<exp>.<sig>`). The signature is HMAC-SHA256 with a per-gateway secret over the scope,
 * the owner, the job and the expiry, so a link opens one job, for its owner, until it expires,
 * and only for what it was made for. Rotating the secret revokes every link.
 */
export class JobLinks {
  private constructor(
    private readonly key: CryptoKey,
    private readonly ttlSecs: number,
    private readonly clock: Clock,
  ) {}

  static async create(secret: string, ttlSecs: number, clock: Clock): Promise<JobLinks> {
    const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify'])
    return new JobLinks(key, ttlSecs, clock)
  }

  /** Expiry (unix seconds) of a link made now. */
  expiry(): number {
    return Math.floor(this.clock.now() / 1000) + this.ttlSecs
  }

  /** `<exp>.<sig>` */
  async sign(scope: LinkScope, userId: string, jobId: string, exp = this.expiry()): Promise<string> {
    const sig = new Uint8Array(await crypto.subtle.sign('HMAC', this.key, encoder.encode(message(scope, userId, jobId, exp))))
    return `${exp}.${base64url(sig)}`
  }

  /** `valid`, `expired` (a real link, too old) or `invalid`. Compared in constant time by WebCrypto. */
  async verify(scope: LinkScope, userId: string, jobId: string, token: string): Promise<'valid' | 'expired' | 'invalid'> {
    const dot = token.indexOf('.')
    const expText = token.slice(0, dot)
    const sigText = token.slice(dot + 1)
    if (dot <= 0 || !/^\d{1,12}$/.test(expText) || !SIG.test(sigText)) return 'invalid'
    const exp = Number(expText)
    const sig = fromBase64url(sigText)
    // Only the canonical spelling: the last character's spare bits must not give a second valid link.
    if (base64url(sig) !== sigText) return 'invalid'
    const ok = await crypto.subtle.verify('HMAC', this.key, sig, encoder.encode(message(scope, userId, jobId, exp)))
    if (!ok) return 'invalid'
    return exp * 1000 < this.clock.now() ? 'expired' : 'valid'
  }
}

// A JSON array: unambiguous whatever characters a user id holds.
const message = (scope: LinkScope, userId: string, jobId: string, exp: number): string =>
  JSON.stringify(['job-link-v1', scope, userId, jobId, exp])
