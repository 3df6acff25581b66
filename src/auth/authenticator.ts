import { constantTimeEqual, type Sha256, toHex, webSha256 } from '../lib/crypto'
import { LruMap } from '../lib/lru'
import type { Principal, TokenResolver } from './principal'
import { StreamTickets, type StreamTicketOptions } from './stream-tickets'

export interface AuthenticatorOptions {
  ownerToken: string
  ownerId: string
  /** A fast synchronous SHA-256 from the adapter (node:crypto); WebCrypto otherwise. */
  sha256?: Sha256 | undefined
  /** Stream ticket lifetime and bounds (tests shorten them). */
  tickets?: StreamTicketOptions | undefined
}

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
  resolver: TokenResolver | undefined
  /** Single-use tickets that open a stream without a token in the URL (`?ticket=`). */
  readonly tickets: StreamTickets

  private constructor(ownerDigest: Uint8Array, ownerId: string, sha256: Sha256, tickets: StreamTickets) {
    this.tickets = tickets
    this.#ownerDigest = ownerDigest
    this.#sha256 = sha256
    this.#owner = { userId: ownerId, role: 'admin', tokenId: null, displayName: null }
  }

  static async create(options: AuthenticatorOptions): Promise<Authenticator> {
    const sha256 = options.sha256 ?? webSha256
    return new Authenticator(await sha256(options.ownerToken), options.ownerId, sha256, new StreamTickets(options.tickets))
  }

  get owner(): Principal {
    return this.#owner
  }

  async authenticate(token: string): Promise<Principal | null> {
    if (token.length === 0 || token.length > 512) return null
    const digestOrPromise = this.#sha256(token)
    const digest = digestOrPromise instanceof Uint8Array ? digestOrPromise : await digestOrPromise
    if (constantTimeEqual(digest, this.#ownerDigest)) return this.#owner
    if (!this.resolver) return null
    const hash = toHex(digest)
    const cached = this.#cache.get(hash)
    if (cached && Date.now() - cached.at < 60_000) return cached.principal
    const principal = await this.resolver.resolve(hash)
    if (principal) this.#cache.set(hash, { principal, at: Date.now() })
    else this.#cache.delete(hash)
    return principal
  }

  /** Forgets cached principals of a user or a token (revoked, suspended, deleted, role changed). */
  invalidate(filter: { userId?: string | undefined; tokenId?: string | undefined; tokenHash?: string | undefined }): void {
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

/** Extracts the token of `Authorization: Bearer <token>`; the scheme is case-insensitive (RFC 6750). */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined || header.length <= 7) return undefined
  if (header.slice(0, 7).toLowerCase() !== 'bearer ') return undefined
  return header.slice(7)
}
