import type { Principal } from '../../ports/principal'
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

/** A credential reference: an API token id, a web session's (`ses_<uuid>`), or `o` for the owner's configured token. */
const CRED = /^(?:o|(?:ses_)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/

/**
 * The credential side of a link (the `Authenticator` implements it): how a principal's
 * credential is named in a link and bound into its signature, and whether it still
 * authenticates the link's user now (revoked token, suspended user: null).
 */
export interface LinkCredentials {
  credentialRef(principal: Principal): string
  credentialBinding(ref: string): string
  checkCredential(userId: string, ref: string): Promise<Principal | null>
}

/** What a verified link says, before its credential is checked. */
export type LinkVerdict = { status: 'valid'; credential: string } | { status: 'expired' } | { status: 'invalid' }

/**
 * Short-lived capability links for what a browser opens without a bearer header: a job's files in
 * a new tab (`/projects/<job>.<exp>.<cred>.<sig>/`) and its event stream for EventSource
 * (`?ticket=<exp>.<cred>.<sig>`). `cred` names the credential the link was minted with (an API
 * token id, or `o` for the owner's token); the signature is HMAC-SHA256 with a per-gateway secret
 * over the scope, the user, the job, the expiry and that credential (`binding`), so a link opens
 * one job, for its user, until it expires, only for what it was made for, and the caller can
 * check on every use that the credential still authenticates the user. Rotating the secret
 * revokes every link.
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

  /**
   * `<exp>.<cred>.<sig>`. `credential`: the reference carried in the link; `binding`: what the
   * signature covers for it (see `Authenticator.credentialBinding`).
   */
  async sign(scope: LinkScope, userId: string, jobId: string, credential: { ref: string; binding: string }, exp = this.expiry()): Promise<string> {
    if (!CRED.test(credential.ref)) throw new RangeError('not a credential reference')
    const sig = new Uint8Array(await crypto.subtle.sign('HMAC', this.key, encoder.encode(message(scope, userId, jobId, exp, credential.binding))))
    return `${exp}.${credential.ref}.${base64url(sig)}`
  }

  /**
   * Checks the signature (in constant time, by WebCrypto) and the expiry. `binding` maps the
   * reference the link carries to what was signed. A valid link still needs its credential
   * checked by the caller.
   */
  async verify(scope: LinkScope, userId: string, jobId: string, token: string, binding: (ref: string) => string): Promise<LinkVerdict> {
    const [expText, ref, sigText, extra] = token.split('.')
    if (extra !== undefined || !expText || !ref || !sigText || !/^\d{1,12}$/.test(expText) || !CRED.test(ref) || !SIG.test(sigText)) return { status: 'invalid' }
    const exp = Number(expText)
    const sig = fromBase64url(sigText)
    // Only the canonical spelling: the last character's spare bits must not give a second valid link.
    if (base64url(sig) !== sigText) return { status: 'invalid' }
    const ok = await crypto.subtle.verify('HMAC', this.key, sig, encoder.encode(message(scope, userId, jobId, exp, binding(ref))))
    if (!ok) return { status: 'invalid' }
    return exp * 1000 < this.clock.now() ? { status: 'expired' } : { status: 'valid', credential: ref }
  }
}

// A JSON array: unambiguous whatever characters a user id holds.
const message = (scope: LinkScope, userId: string, jobId: string, exp: number, binding: string): string =>
  JSON.stringify(['job-link-v2', scope, userId, jobId, exp, binding])
