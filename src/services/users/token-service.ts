import { getLogger } from '@logtape/logtape'
import type { Principal, TokenResolver } from '../../ports/principal'
import { Role } from '../../protocol/users'
import { randomHex, type Sha256, sha256Hex } from '../../lib/crypto'
import { conflict } from '../../lib/errors'
import { type Clock, isoNow, unrefTimer } from '../../lib/time'
import type { CreatedToken, TokenInfo } from '../../protocol/users'
import type { Db } from '../../store/database'
import type { AccessRevocation } from './access-revocation'
import type { TokensPort } from './port'

/** Characters of the plaintext kept for display. */
const TOKEN_PREFIX_LENGTH = 8
/** Live (unrevoked, unexpired) tokens one user may hold. */
const MAX_LIVE_TOKENS = 100
/** `last_used_at` / `last_login_at` are written at most this often per token. */
const TOUCH_INTERVAL_MS = 60_000
/** Tokens expiring within this window get a timer that closes their streams on the dot. */
const EXPIRY_HORIZON_MS = 60 * 60_000

const log = getLogger(['gateway', 'tokens'])

const INFO_COLUMNS = ['id', 'name', 'token_prefix', 'user_id', 'expires_at', 'last_used_at', 'created_at', 'revoked_at', 'minted_by', 'is_impersonation'] as const

type InfoRow = Omit<TokenInfo, 'impersonation'> & { is_impersonation: boolean }
const toInfo = ({ is_impersonation, ...row }: InfoRow): TokenInfo => ({ ...row, impersonation: Boolean(is_impersonation) })

/**
 * API tokens: 256-bit random, shown once, stored as SHA-256. Also the core's `TokenResolver`:
 * the authenticator hands it the hash of a presented token and gets the principal, or null for
 * a revoked or expired token or a suspended user.
 */
export class TokenService implements TokenResolver, TokensPort {
  /** Pending `last_used_at` writes (token id -> user id, time), flushed in one batch. */
  readonly #touches = new Map<string, { userId: string; at: string }>()
  readonly #lastTouched = new Map<string, number>()
  readonly #expiryTimers = new Map<string, ReturnType<typeof setTimeout>>()
  readonly #sweepTimer: ReturnType<typeof setInterval>
  #flushTimer: ReturnType<typeof setTimeout> | undefined
  #flushing: Promise<void> = Promise.resolve()
  #closed = false

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly sha256: Sha256 | undefined,
    private readonly revocation: AccessRevocation,
    private readonly ownerId: string,
  ) {
    this.#sweepTimer = unrefTimer(setInterval(() => void this.scheduleExpiries().catch(() => undefined), EXPIRY_HORIZON_MS / 2))
  }

  /**
   * Mints a token for `userId`. The plaintext is in the result and nowhere else. `mintedBy`: who
   * asked, when not the user itself (the caller checked it may: `assertReach`); `impersonation`:
   * it is for acting as the user (not an account's first token, which its user takes over).
   */
  async create(
    userId: string,
    options: { name: string; expiresAt?: string | null; mintedBy?: string | undefined; impersonation?: boolean },
  ): Promise<CreatedToken> {
    const now = isoNow(this.clock)
    const live = await this.db
      .selectFrom('api_tokens')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .executeTakeFirst()
    if (Number(live?.n ?? 0) >= MAX_LIVE_TOKENS) {
      throw conflict('too_many_tokens', `A user may hold at most ${MAX_LIVE_TOKENS} live tokens; revoke some first`)
    }
    const token = randomHex(32)
    const row: InfoRow = {
      id: crypto.randomUUID(),
      name: options.name,
      token_prefix: token.slice(0, TOKEN_PREFIX_LENGTH),
      user_id: userId,
      expires_at: options.expiresAt ?? null,
      last_used_at: null,
      created_at: now,
      revoked_at: null,
      minted_by: options.mintedBy !== undefined && options.mintedBy !== userId ? options.mintedBy : null,
      is_impersonation: options.impersonation === true && options.mintedBy !== undefined && options.mintedBy !== userId,
    }
    await this.db
      .insertInto('api_tokens')
      .values({ ...row, token_hash: await sha256Hex(token, this.sha256) })
      .execute()
    return { ...toInfo(row), token }
  }

  /**
   * The user's own tokens and those it minted for others (`impersonation`), newest first (the
   * 200 most recent, revoked ones included).
   */
  async list(userId: string): Promise<TokenInfo[]> {
    const rows = await this.db
      .selectFrom('api_tokens')
      .select(INFO_COLUMNS)
      .where((eb) => eb.or([eb('user_id', '=', userId), eb('minted_by', '=', userId)]))
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(200)
      .execute()
    return rows.map(toInfo)
  }

  /** One user's tokens only (admin views), newest first, impersonation ones marked. */
  async ofUser(userId: string): Promise<TokenInfo[]> {
    const rows = await this.db.selectFrom('api_tokens').select(INFO_COLUMNS).where('user_id', '=', userId).orderBy('created_at', 'desc').orderBy('id').limit(200).execute()
    return rows.map(toInfo)
  }

  /**
   * Revokes a token of the caller's, or one the caller minted for someone else (idempotent);
   * undefined when there is no such token. It fails from the next request on, on every instance,
   * and the streams and signed links it opened stop working.
   */
  async revoke(userId: string, tokenId: string): Promise<TokenInfo | undefined> {
    const row = await this.db
      .selectFrom('api_tokens')
      .select([...INFO_COLUMNS, 'token_hash'])
      .where('id', '=', tokenId)
      .where((eb) => eb.or([eb('user_id', '=', userId), eb('minted_by', '=', userId)]))
      .executeTakeFirst()
    if (!row) return undefined
    const { token_hash, ...info } = row
    if (info.revoked_at === null) {
      info.revoked_at = isoNow(this.clock)
      await this.db.updateTable('api_tokens').set({ revoked_at: info.revoked_at }).where('id', '=', tokenId).where('revoked_at', 'is', null).execute()
    }
    await this.revocation.token(tokenId, token_hash)
    return toInfo(info)
  }

  /**
   * The principal of a live API token named by its id (a signed link or a ticket names the token
   * that minted it): null when the token is revoked, expired, of another user than `userId`, or
   * its user is suspended. Read from the database, so every instance agrees at once.
   */
  async resolveId(userId: string, tokenId: string): Promise<Principal | null> {
    if (this.#closed) return null
    const row = await this.#principalRows().where('api_tokens.id', '=', tokenId).where('api_tokens.user_id', '=', userId).executeTakeFirst()
    return row ? this.#live(row, this.clock.now()) : null
  }

  async resolve(tokenHash: string): Promise<Principal | null> {
    if (this.#closed) return null
    const row = await this.#principalRows().where('api_tokens.token_hash', '=', tokenHash).executeTakeFirst()
    if (!row) return null
    const now = this.clock.now()
    const principal = this.#live(row, now)
    if (!principal) return null
    this.#touch(row.token_id, row.user_id, row.last_used_at, now)
    if (principal.expiresAt != null) this.#scheduleExpiry(row.token_id, tokenHash, principal.expiresAt)
    return principal
  }

  #principalRows() {
    return this.db
      .selectFrom('api_tokens')
      .innerJoin('users', 'users.id', 'api_tokens.user_id')
      .select([
        'api_tokens.id as token_id',
        'api_tokens.user_id',
        'api_tokens.expires_at',
        'api_tokens.revoked_at',
        'api_tokens.last_used_at',
        'api_tokens.minted_by',
        'api_tokens.is_impersonation',
        'users.role',
        'users.status',
        'users.display_name',
      ])
  }

  /** The principal of a token row, or null when the token or its user cannot sign in now. */
  #live(
    row: { token_id: string; user_id: string; expires_at: string | null; revoked_at: string | null; minted_by: string | null; is_impersonation: boolean; role: string; status: string; display_name: string | null },
    now: number,
  ): Principal | null {
    if (row.revoked_at !== null || row.status !== 'active') return null
    const expiresAt = row.expires_at === null ? null : Date.parse(row.expires_at)
    if (expiresAt !== null && expiresAt <= now) return null
    return {
      userId: row.user_id,
      role: row.user_id === this.ownerId ? 'admin' : Role.catch('member').parse(row.role),
      tokenId: row.token_id,
      displayName: row.display_name,
      expiresAt,
      mintedBy: row.minted_by,
      impersonation: Boolean(row.is_impersonation),
    }
  }

  /** Arms expiry timers for every live token that expires within the next hour. */
  async scheduleExpiries(): Promise<void> {
    const now = this.clock.now()
    const rows = await this.db
      .selectFrom('api_tokens')
      .select(['id', 'token_hash', 'expires_at'])
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', new Date(now).toISOString())
      .where('expires_at', '<=', new Date(now + EXPIRY_HORIZON_MS).toISOString())
      .execute()
    for (const row of rows) this.#scheduleExpiry(row.id, row.token_hash, Date.parse(row.expires_at!))
  }

  /** Erases a user's tokens (the user is being deleted). */
  async deleteUser(userId: string): Promise<void> {
    await this.flush()
    await this.db.deleteFrom('api_tokens').where('user_id', '=', userId).execute()
  }

  /** Writes pending `last_used_at` / `last_login_at` updates. */
  flush(): Promise<void> {
    clearTimeout(this.#flushTimer)
    this.#flushTimer = undefined
    const batch = [...this.#touches]
    this.#touches.clear()
    if (batch.length === 0) return this.#flushing
    this.#flushing = this.#flushing.then(async () => {
      for (const [tokenId, { userId, at }] of batch) {
        await this.db.updateTable('api_tokens').set({ last_used_at: at }).where('id', '=', tokenId).execute()
        await this.db.updateTable('users').set({ last_login_at: at }).where('id', '=', userId).execute()
      }
    }).catch((error: unknown) => {
      // Only bookkeeping is lost; authentication does not depend on it.
      log.warn('could not record token use: {error}', { error })
    })
    return this.#flushing
  }

  async close(): Promise<void> {
    this.#closed = true
    clearInterval(this.#sweepTimer)
    for (const timer of this.#expiryTimers.values()) clearTimeout(timer)
    this.#expiryTimers.clear()
    await this.flush()
  }

  /** Records a use; written in the next batch unless the stored time is recent enough. */
  #touch(tokenId: string, userId: string, stored: string | null, now: number): void {
    const last = this.#lastTouched.get(tokenId) ?? (stored === null ? 0 : Date.parse(stored))
    if (now - last < TOUCH_INTERVAL_MS) return
    this.#lastTouched.set(tokenId, now)
    if (this.#lastTouched.size > 10_000) this.#lastTouched.delete(this.#lastTouched.keys().next().value!)
    this.#touches.set(tokenId, { userId, at: new Date(now).toISOString() })
    this.#flushTimer ??= unrefTimer(setTimeout(() => void this.flush(), 5_000))
  }

  #scheduleExpiry(tokenId: string, tokenHash: string, expiresAt: number): void {
    if (this.#closed || this.#expiryTimers.has(tokenId)) return
    const delay = expiresAt - this.clock.now()
    if (delay > EXPIRY_HORIZON_MS) return
    const timer = unrefTimer(
      setTimeout(() => {
        this.#expiryTimers.delete(tokenId)
        void this.revocation.token(tokenId, tokenHash).catch(() => undefined)
      }, Math.max(0, delay)),
    )
    this.#expiryTimers.set(tokenId, timer)
  }
}
