import { constantTimeEqual, type Sha256, toHex, webSha256 } from '../lib/crypto'
import { LruMap } from '../lib/lru'
import type { Authenticated, Principal, TokenResolver } from '../ports/principal'
import { StreamTickets } from './stream-tickets'
import type { WebSessions } from './web-sessions'

export interface AuthenticatorOptions {
  ownerToken: string
  ownerId: string
  /** A fast synchronous SHA-256 from the adapter (node:crypto); WebCrypto otherwise. */
  sha256?: Sha256 | undefined
  /** The clock (tests inject one); decides cache freshness and token expiry. */
  now?: (() => number) | undefined
  /** Unused stream tickets one user may hold (16). */
  ticketsPerUser?: number | undefined
}

/** The credential reference of the owner's configured token (it has no token id). */
const OWNER_REF = 'o'

/** How long a resolved API token is trusted without asking the resolver again. */
const CACHE_TTL_MS = 60_000

/**
 * Turns a presented bearer token into a principal. The owner's token is compared in constant time
 * on SHA-256 digests (hashing normalises length, so neither length nor content leaks through
 * timing); other tokens are looked up by hash through the `TokenResolver` (the users subsystem).
 */
export class Authenticator {
  readonly #ownerDigest: Uint8Array
  readonly #owner: Principal
  readonly #sha256: Sha256
  /**
   * Digests of tokens that authenticated, by token: hashing is the largest part of what auth
   * costs a request (bench: `http auth cost`). Only the digest is kept, never a verdict: every
   * request still checks it against the owner's and the resolved tokens. Only tokens that
   * proved valid get in, so guesses cannot fill it. The lookup compares string hashes before
   * contents, so a guess right but for its last character is as fast a miss as any other.
   */
  readonly #digests = new LruMap<string, Uint8Array>(256)
  /** Resolved API tokens by hash; cleared on revoke/suspend so they fail on the very next request. */
  readonly #cache = new LruMap<string, { principal: Principal; at: number }>(1024)
  readonly #now: () => number
  /**
   * Bumped by `invalidate`: a lookup that started before a revocation must not put its (now
   * stale) answer in the cache after the revocation cleared it.
   */
  #generation = 0
  resolver: TokenResolver | undefined
  /** The web app's cookie sessions (set by the composition root); without it only bearer tokens sign in. */
  web: WebSessions | undefined
  /** Single-use tickets that open a stream without a token in the URL (`?ticket=`). */
  readonly tickets: StreamTickets

  private constructor(ownerDigest: Uint8Array, ownerId: string, sha256: Sha256, now: () => number, ticketsPerUser: number | undefined) {
    this.#ownerDigest = ownerDigest
    this.#sha256 = sha256
    this.#now = now
    this.tickets = new StreamTickets({ now, ...(ticketsPerUser === undefined ? {} : { perUser: ticketsPerUser }) })
    this.#owner = { userId: ownerId, role: 'admin', tokenId: null, displayName: null }
  }

  static async create(options: AuthenticatorOptions): Promise<Authenticator> {
    const sha256 = options.sha256 ?? webSha256
    return new Authenticator(await sha256(options.ownerToken), options.ownerId, sha256, options.now ?? Date.now, options.ticketsPerUser)
  }

  get owner(): Principal {
    return this.#owner
  }

  async authenticate(token: string): Promise<Principal | null> {
    return (await this.authenticateToken(token))?.principal ?? null
  }

  /**
   * The principal of a presented token and the digest streams keep instead of the token. No
   * promise when none is needed (the owner's token or a cached API token, with the adapter's
   * synchronous SHA-256): every authenticated request comes through here, and each await is a
   * trip through the microtask queue (bench: `http auth cost`).
   */
  authenticateToken(token: string): Authenticated | null | Promise<Authenticated | null> {
    if (token.length === 0 || token.length > 512) return null
    const seen = this.#digests.get(token)
    if (seen) return this.#withPrincipal(seen)
    const keep = (digest: Uint8Array) => this.#digests.set(token, digest)
    const digest = this.#sha256(token)
    return digest instanceof Uint8Array ? this.#withPrincipal(digest, keep) : digest.then((d) => this.#withPrincipal(d, keep))
  }

  /** The SHA-256 of a presented token (null when it cannot be one). Streams keep this, not the token. */
  async digest(token: string): Promise<Uint8Array | null> {
    if (token.length === 0 || token.length > 512) return null
    return this.#sha256(token)
  }

  /**
   * Authenticates a credential by its digest: how a long-lived stream re-checks, after a
   * revocation, the credential it was opened with (even when it was opened with a ticket).
   */
  authenticateDigest(digest: Uint8Array): Principal | null | Promise<Principal | null> {
    const known = this.#known(digest)
    return known === undefined ? this.#resolve(digest) : known
  }

  /**
   * Spends a stream ticket and checks, now, that the token it was bought with still
   * authenticates the same user and token: a ticket of a suspended user, or bought with a token
   * revoked since, opens nothing. The principal returned is the current one (fresh role, name).
   */
  redeemTicket(ticket: string, requestPath: string): Authenticated | null | Promise<Authenticated | null> {
    const entry = this.tickets.redeem(ticket, requestPath)
    if (!entry) return null
    const same = (p: Principal | null): Authenticated | null =>
      p && p.userId === entry.principal.userId && p.tokenId === entry.principal.tokenId ? { principal: p, credential: entry.credential } : null
    const current = this.authenticateDigest(entry.credential)
    return current instanceof Promise ? current.then(same) : same(current)
  }

  /**
   * Names the credential a principal authenticated with, for a signed link to carry: the API
   * token's id, or `o` for the owner's configured token. See `checkCredential`.
   */
  credentialRef(principal: Principal): string {
    return principal.tokenId ?? OWNER_REF
  }

  /**
   * What a signature binds for a credential reference: the token id, or for the owner's token a
   * digest of it, so a link minted under one `GATEWAY_AUTH_TOKEN` dies when the token changes.
   */
  credentialBinding(ref: string): string {
    return ref === OWNER_REF ? `owner:${toHex(this.#ownerDigest)}` : `token:${ref}`
  }

  /**
   * Whether the credential a signed link names still authenticates `userId`, now: the owner's
   * configured token for the owner, or a live API token of that user (not revoked or expired,
   * the user not suspended). Asked on every use of the link; null = refuse it.
   */
  async checkCredential(userId: string, ref: string): Promise<Principal | null> {
    if (ref === OWNER_REF) return userId === this.#owner.userId ? this.#owner : null
    const resolved = (await this.resolver?.resolveId?.(userId, ref)) ?? null
    return resolved && !expired(resolved, this.#now()) && resolved.userId === userId ? resolved : null
  }

  /** `keep`: remembers the digest of a token seen for the first time, once it proved valid. */
  #withPrincipal(digest: Uint8Array, keep?: (digest: Uint8Array) => void): Authenticated | null | Promise<Authenticated | null> {
    const principal = this.authenticateDigest(digest)
    const credentialed = (p: Principal | null) => {
      if (!p) return null
      keep?.(digest)
      return { principal: p, credential: digest }
    }
    return principal instanceof Promise ? principal.then(credentialed) : credentialed(principal)
  }

  /** The owner, a fresh cached API token, or null without a resolver; undefined: ask the resolver. */
  #known(digest: Uint8Array): Principal | null | undefined {
    if (constantTimeEqual(digest, this.#ownerDigest)) return this.#owner
    if (!this.resolver) return null
    const cached = this.#cache.get(toHex(digest))
    const now = this.#now()
    return cached && now - cached.at < CACHE_TTL_MS && !expired(cached.principal, now) ? cached.principal : undefined
  }

  async #resolve(digest: Uint8Array): Promise<Principal | null> {
    const hash = toHex(digest)
    const now = this.#now()
    const generation = this.#generation
    const resolved = await this.resolver!.resolve(hash)
    const principal = resolved && !expired(resolved, this.#now()) ? resolved : null
    if (principal && generation === this.#generation) this.#cache.set(hash, { principal, at: now })
    else this.#cache.delete(hash)
    return principal
  }

  /** Forgets cached principals of a user or a token (revoked, suspended, deleted, role changed). */
  invalidate(filter: { userId?: string | undefined; tokenId?: string | undefined; tokenHash?: string | undefined }): void {
    this.#generation++
    // A revoked token's plaintext need not stay in memory; the rest are hashed again once.
    this.#digests.clear()
    if (filter.userId !== undefined || filter.tokenId !== undefined) this.tickets.revoke(filter)
    for (const [hash, entry] of [...this.#cache.entries()]) {
      if (
        (filter.tokenHash !== undefined && hash === filter.tokenHash) ||
        (filter.tokenId !== undefined && entry.principal.tokenId === filter.tokenId) ||
        (filter.userId !== undefined && entry.principal.userId === filter.userId)
      ) {
        this.#cache.delete(hash)
      }
    }
  }
}

const expired = (principal: Principal, now: number): boolean => principal.expiresAt != null && principal.expiresAt <= now

/** Extracts the token of `Authorization: Bearer <token>`; the scheme is case-insensitive (RFC 6750). */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined || header.length <= 7) return undefined
  if (header.slice(0, 7).toLowerCase() !== 'bearer ') return undefined
  return header.slice(7)
}
