import { toHex } from '../lib/crypto'
import type { Authenticated, Principal } from '../ports/principal'

/**
 * The stream routes a ticket can open: the ones a browser reaches with `EventSource` or a
 * WebSocket upgrade, which cannot carry an `Authorization` header.
 */
const STREAM_PATHS: readonly RegExp[] = [
  /^\/api\/chat\/events$/,
  /^\/api\/chat\/ws$/,
  /^\/api\/logs\/events$/,
]

export const isStreamPath = (path: string): boolean => STREAM_PATHS.some((pattern) => pattern.test(path))

export interface IssuedTicket {
  refused?: undefined
  ticket: string
  expiresAt: number
}

export interface TicketRefusal {
  refused: 'user_quota' | 'full'
  retryAfterMs: number
}

interface Ticket {
  principal: Principal
  /** SHA-256 of the token the ticket was bought with (streams re-check it after revocations). */
  credential: Uint8Array
  path: string
  expiresAt: number
}

export interface StreamTicketOptions {
  /** How long a ticket may wait before it is used (ms). */
  ttlMs?: number
  /** Unused tickets one user may hold at once; a new one is refused (429) past it. */
  perUser?: number
  /** Unused tickets held in total; a new one is refused (503) past it. */
  capacity?: number
  now?: () => number
}

/**
 * Short-lived, single-use stream tickets, so no long-lived token goes into a URL (`EventSource`
 * sends no headers): the web app trades its bearer token for a random ticket bound to one user,
 * one token and one stream path, then opens `GET /api/chat/events?ticket=...`. A ticket that
 * leaks through an access log or a proxy is worthless a minute later, or as soon as it was used.
 * Held in memory: a gateway behind a load balancer needs the ticket redeemed by the instance that
 * issued it (sticky sessions).
 */
export class StreamTickets {
  readonly #tickets = new Map<string, Ticket>()
  /** Each user's unused tickets, oldest first. */
  readonly #byUser = new Map<string, string[]>()
  readonly #ttlMs: number
  readonly #perUser: number
  readonly #capacity: number
  readonly #now: () => number

  constructor(options: StreamTicketOptions = {}) {
    this.#ttlMs = options.ttlMs ?? 60_000
    this.#perUser = options.perUser ?? 16
    this.#capacity = options.capacity ?? 10_000
    this.#now = options.now ?? (() => Date.now())
  }

  /**
   * Issues a ticket for `path` (one of the stream routes, without any mount prefix). Refused
   * when the user already holds `perUser` unused tickets (`user_quota`, with when the oldest
   * expires), or the store is full of unexpired tickets (`full`): the caller answers 429 / 503.
   */
  issue(principal: Principal, path: string, credential: Uint8Array): IssuedTicket | TicketRefusal {
    if (!isStreamPath(path)) throw new RangeError(`not a stream path: ${path}`)
    const now = this.#now()
    this.#sweep(now)
    const mine = this.#byUser.get(principal.userId)
    if (mine && mine.length >= this.#perUser) {
      return { refused: 'user_quota', retryAfterMs: Math.max(1, this.#tickets.get(mine[0]!)!.expiresAt - now) }
    }
    if (this.#tickets.size >= this.#capacity) return { refused: 'full', retryAfterMs: 5_000 }
    const ticket = toHex(crypto.getRandomValues(new Uint8Array(32)))
    const expiresAt = now + this.#ttlMs
    this.#tickets.set(ticket, { principal, credential, path, expiresAt })
    this.#byUser.set(principal.userId, [...(this.#byUser.get(principal.userId) ?? []), ticket])
    return { ticket, expiresAt }
  }

  /**
   * Spends a ticket on a request path. The ticket is gone after this call whatever the outcome,
   * so a second use, or a use on another stream, fails. `requestPath` may carry a mount prefix.
   */
  redeem(ticket: string, requestPath: string): (Authenticated & { principal: Principal }) | null {
    if (ticket.length !== 64) return null
    const entry = this.#tickets.get(ticket)
    if (!entry) return null
    this.#remove(ticket)
    if (entry.expiresAt <= this.#now()) return null
    if (requestPath !== entry.path && !requestPath.endsWith(entry.path)) return null
    return { principal: entry.principal, credential: entry.credential }
  }

  /** Drops the unused tickets of a user or of one token (revoked, suspended, deleted). */
  revoke(filter: { userId?: string | undefined; tokenId?: string | undefined }): void {
    for (const [key, entry] of this.#tickets) {
      if (
        (filter.userId !== undefined && entry.principal.userId === filter.userId) ||
        (filter.tokenId !== undefined && entry.principal.tokenId === filter.tokenId)
      ) {
        this.#remove(key)
      }
    }
  }

  get size(): number {
    return this.#tickets.size
  }

  /** Insertion order is expiry order (fixed TTL), so the sweep stops at the first live ticket. */
  #sweep(now: number): void {
    for (const [key, entry] of this.#tickets) {
      if (entry.expiresAt > now) break
      this.#remove(key)
    }
  }

  #remove(key: string): void {
    const entry = this.#tickets.get(key)
    if (!entry) return
    this.#tickets.delete(key)
    const userId = entry.principal.userId
    const left = (this.#byUser.get(userId) ?? []).filter((k) => k !== key)
    if (left.length === 0) this.#byUser.delete(userId)
    else this.#byUser.set(userId, left)
  }
}
