import { constantTimeEqual, type Sha256, toHex, webSha256 } from '../lib/crypto'
import { LruMap } from '../lib/lru'
import type { Principal, TokenResolver } from './principal'
import { StreamTickets } from './stream-tickets'

export interface AuthenticatorOptions {
  ownerToken: string
  ownerId: string
  /** A fast synchronous SHA-256 from the adapter (node:crypto); WebCrypto otherwise. */
  sha256?: Sha256 | undefined
  /** The clock (tests inject one); decides cache freshness and token expiry. */
  now?: (() => number) | undefined
}

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
  /** Resolved API tokens by hash; cleared on revoke/suspend so they fail on the very next request. */
  readonly #cache = new LruMap<string, { principal: Principal; at: number }>(1024)
  readonly #now: () => number
  /**
   * Bumped by `invalidate`: a lookup that started before a revocation must not put its (now
   * stale) answer in the cache after the revocation cleared it.
   */
  #generation = 0
  resolver: TokenResolver | undefined
  /** Single-use tickets that open a stream without a token in the URL (`?ticket=`). */
  readonly tickets: StreamTickets

  private constructor(ownerDigest: Uint8Array, ownerId: string, sha256: Sha256, now: () => number) {
    this.#ownerDigest = ownerDigest
    this.#sha256 = sha256
    this.#now = now
    this.tickets = new StreamTickets({ now })
    this.#owner = { userId: ownerId, role: 'admin', tokenId: null, displayName: null }
  }

  static async create(options: AuthenticatorOptions): Promise<Authenticator> {
    const sha256 = options.sha256 ?? webSha256
    return new Authenticator(await sha256(options.ownerToken), options.ownerId, sha256, options.now ?? Date.now)
  }

  get owner(): Principal {
    return this.#owner
  }

  async authenticate(token: string): Promise<Principal | null> {
    const digest = await this.digest(token)
    return digest ? this.authenticateDigest(digest) : null
  }

  /** The SHA-256 of a presented token (null when it cannot be one). Streams keep this, not the token. */
  async digest(token: string): Promise<Uint8Array | null> {
    if (token.length === 0 || token.length > 512) return null
    const digestOrPromise = this.#sha256(token)
    return digestOrPromise instanceof Uint8Array ? digestOrPromise : await digestOrPromise
  }

  /**
   * Authenticates a credential by its digest: how a long-lived stream re-checks, after a
   * revocation, the credential it was opened with (even when it was opened with a ticket).
   */
  async authenticateDigest(digest: Uint8Array): Promise<Principal | null> {
    if (constantTimeEqual(digest, this.#ownerDigest)) return this.#owner
    if (!this.resolver) return null
    const hash = toHex(digest)
    const now = this.#now()
    const cached = this.#cache.get(hash)
    if (cached && now - cached.at < CACHE_TTL_MS && !expired(cached.principal, now)) return cached.principal
    const generation = this.#generation
    const resolved = await this.resolver.resolve(hash)
    const principal = resolved && !expired(resolved, this.#now()) ? resolved : null
    if (principal && generation === this.#generation) this.#cache.set(hash, { principal, at: now })
    else this.#cache.delete(hash)
    return principal
  }

  /** Forgets cached principals of a user or a token (revoked, suspended, deleted, role changed). */
  invalidate(filter: { userId?: string | undefined; tokenId?: string | undefined; tokenHash?: string | undefined }): void {
    this.#generation++
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
