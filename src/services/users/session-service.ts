import { getLogger } from '@logtape/logtape'
import type { Principal, TokenResolver } from '../../ports/principal'
import { Role } from '../../protocol/users'
import { randomHex, type Sha256, sha256Hex } from '../../lib/crypto'
import { type Clock, isoNow, toIso, unrefTimer } from '../../lib/time'
import { type SessionInfo, SessionMethod } from '../../protocol/sessions'
import type { Db } from '../../store/database'
import type { WebSessionsTable } from '../../store/tables/sessions'
import type { AccessRevocation } from './access-revocation'
import type { SessionsPort } from './port'

/** Session ids start with this, so a reference (`tokenId`) tells a session from an API token. */
export const SESSION_ID_PREFIX = 'ses_'
/** `last_seen_at` is written at most this often per session. */
const TOUCH_INTERVAL_MS = 60_000
/** Live sessions one user may hold; the oldest is ended past it. */
const MAX_LIVE_SESSIONS = 50

const log = getLogger(['gateway', 'sessions'])


/**
 * Web app cookie sessions, stored server-side by the SHA-256 of a 256-bit secret (the cookie).
 * Also a `TokenResolver`: the authenticator resolves a cookie's secret exactly like a token, so
 * sessions share its cache, its revocation (by user, by id) and stream tickets. A session ends at
 * `expires_at`, after `idleMs` without a request, when revoked or signed out, and at once when its
 * user is suspended or deleted.
 */
export class SessionService implements TokenResolver, SessionsPort {
  readonly #lastTouched = new Map<string, number>()
  readonly #touches = new Map<string, string>()
  #flushTimer: ReturnType<typeof setTimeout> | undefined
  #flushing: Promise<void> = Promise.resolve()
  #closed = false

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly sha256: Sha256 | undefined,
    private readonly revocation: AccessRevocation,
    private readonly ownerId: string,
    private readonly limits: { ttlMs: number; idleMs: number },
  ) {}

  async create(userId: string, options: { method: SessionMethod; subject?: string | null; userAgent?: string | null }): Promise<{ secret: string; info: SessionInfo }> {
    const now = this.clock.now()
    const secret = randomHex(32)
    const row: WebSessionsTable = {
      id: SESSION_ID_PREFIX + crypto.randomUUID(),
      user_id: userId,
      secret_hash: await sha256Hex(secret, this.sha256),
      method: options.method,
      subject: options.subject ?? null,
      user_agent: options.userAgent?.slice(0, 256) ?? null,
      created_at: toIso(now),
      last_seen_at: toIso(now),
      expires_at: toIso(now + this.limits.ttlMs),
      revoked_at: null,
    }
    await this.db.insertInto('web_sessions').values(row).execute()
    await this.#capLive(userId)
    return { secret, info: this.#info(row, row.id) }
  }

  async list(userId: string, currentId: string | null = null): Promise<SessionInfo[]> {
    const now = this.clock.now()
    const rows = await this.db
      .selectFrom('web_sessions')
      .selectAll()
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', toIso(now))
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .execute()
    return rows.filter((row) => this.#endsAt(row) > now).map((row) => this.#info(row, currentId))
  }

  async get(userId: string, sessionId: string): Promise<SessionInfo | undefined> {
    const row = await this.db.selectFrom('web_sessions').selectAll().where('id', '=', sessionId).where('user_id', '=', userId).executeTakeFirst()
    return row && this.#info(row, sessionId)
  }

  async revoke(userId: string, sessionId: string): Promise<SessionInfo | undefined> {
    const row = await this.db.selectFrom('web_sessions').selectAll().where('id', '=', sessionId).where('user_id', '=', userId).executeTakeFirst()
    if (!row) return undefined
    if (row.revoked_at === null) {
      row.revoked_at = isoNow(this.clock)
      await this.db.updateTable('web_sessions').set({ revoked_at: row.revoked_at }).where('id', '=', sessionId).where('revoked_at', 'is', null).execute()
    }
    await this.revocation.token(sessionId, row.secret_hash)
    return this.#info(row, null)
  }

  /** Ends every session of a user (suspended, deleted): re-activating the account revives none. */
  async revokeUser(userId: string): Promise<void> {
    await this.db.updateTable('web_sessions').set({ revoked_at: isoNow(this.clock) }).where('user_id', '=', userId).where('revoked_at', 'is', null).execute()
  }

  async resolve(secretHash: string): Promise<Principal | null> {
    if (this.#closed) return null
    const row = await this.#principalRows().where('web_sessions.secret_hash', '=', secretHash).executeTakeFirst()
    return row ? this.#live(row, this.clock.now(), true) : null
  }

  async resolveId(userId: string, sessionId: string): Promise<Principal | null> {
    if (this.#closed || !sessionId.startsWith(SESSION_ID_PREFIX)) return null
    const row = await this.#principalRows().where('web_sessions.id', '=', sessionId).where('web_sessions.user_id', '=', userId).executeTakeFirst()
    return row ? this.#live(row, this.clock.now(), false) : null
  }

  async deleteUser(userId: string): Promise<void> {
    await this.flush()
    await this.db.deleteFrom('web_sessions').where('user_id', '=', userId).execute()
    await this.db.deleteFrom('external_identities').where('user_id', '=', userId).execute()
  }

  flush(): Promise<void> {
    clearTimeout(this.#flushTimer)
    this.#flushTimer = undefined
    const batch = [...this.#touches]
    this.#touches.clear()
    if (batch.length === 0) return this.#flushing
    this.#flushing = this.#flushing.then(async () => {
      for (const [id, at] of batch) await this.db.updateTable('web_sessions').set({ last_seen_at: at }).where('id', '=', id).execute()
    }).catch((error: unknown) => {
      // A lost write only shortens the idle timeout by a minute; authentication does not wait on it.
      log.warn('could not record session use: {error}', { error })
    })
    return this.#flushing
  }

  async close(): Promise<void> {
    this.#closed = true
    await this.flush()
  }

  #principalRows() {
    return this.db
      .selectFrom('web_sessions')
      .innerJoin('users', 'users.id', 'web_sessions.user_id')
      .select([
        'web_sessions.id', 'web_sessions.user_id', 'web_sessions.method', 'web_sessions.subject', 'web_sessions.last_seen_at',
        'web_sessions.expires_at', 'web_sessions.revoked_at', 'users.role', 'users.status', 'users.display_name',
      ])
  }

  /** The principal of a session row, or null when it or its user cannot sign in now. */
  #live(
    row: { id: string; user_id: string; method: string; subject: string | null; last_seen_at: string; expires_at: string; revoked_at: string | null; role: string; status: string; display_name: string | null },
    now: number,
    touch: boolean,
  ): Principal | null {
    if (row.revoked_at !== null || row.status !== 'active') return null
    const lastSeen = Math.max(Date.parse(row.last_seen_at), this.#lastTouched.get(row.id) ?? 0)
    const hardEnd = Date.parse(row.expires_at)
    if (hardEnd <= now || lastSeen + this.limits.idleMs <= now) return null
    if (touch) this.#touch(row.id, lastSeen, now)
    // The authenticator's cache re-resolves within a minute, which moves the idle end along.
    const seen = touch ? now : lastSeen
    return {
      userId: row.user_id,
      role: row.user_id === this.ownerId ? 'admin' : Role.catch('member').parse(row.role),
      tokenId: row.id,
      displayName: row.display_name,
      expiresAt: Math.min(hardEnd, seen + this.limits.idleMs),
      mintedBy: null,
      impersonation: false,
      session: { method: SessionMethod.catch('token').parse(row.method), subject: row.subject },
    }
  }

  #touch(id: string, last: number, now: number): void {
    if (now - last < TOUCH_INTERVAL_MS) return
    this.#lastTouched.set(id, now)
    if (this.#lastTouched.size > 10_000) this.#lastTouched.delete(this.#lastTouched.keys().next().value!)
    this.#touches.set(id, toIso(now))
    this.#flushTimer ??= unrefTimer(setTimeout(() => void this.flush(), 5_000))
  }

  #endsAt(row: WebSessionsTable): number {
    const lastSeen = Math.max(Date.parse(row.last_seen_at), this.#lastTouched.get(row.id) ?? 0)
    return Math.min(Date.parse(row.expires_at), lastSeen + this.limits.idleMs)
  }

  #info(row: WebSessionsTable, currentId: string | null): SessionInfo {
    return {
      id: row.id,
      method: SessionMethod.catch('token').parse(row.method),
      subject: row.subject,
      user_agent: row.user_agent,
      created_at: row.created_at,
      last_seen_at: toIso(Math.max(Date.parse(row.last_seen_at), this.#lastTouched.get(row.id) ?? 0)),
      expires_at: row.expires_at,
      idle_expires_at: toIso(this.#endsAt(row)),
      revoked_at: row.revoked_at,
      current: row.id === currentId,
    }
  }

  /** Ends the oldest live sessions past the per-user cap (a script signing in in a loop). */
  async #capLive(userId: string): Promise<void> {
    const live = await this.db
      .selectFrom('web_sessions')
      .select(['id', 'secret_hash'])
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', isoNow(this.clock))
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .execute()
    for (const old of live.slice(MAX_LIVE_SESSIONS)) await this.revoke(userId, old.id)
  }
}
