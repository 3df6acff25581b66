import { getLogger } from '@logtape/logtape'
import type { SecretOptions, SecretsPort } from './port'
import { GatewayError } from '../../lib/errors'
import { type Clock, isoNow } from '../../lib/time'
import type { Redactor } from '../../logging/redactor'
import type { SecretInfo } from '../../protocol/users'
import type { Db } from '../../store/database'
import type { SecretCipher } from '../../lib/secret-cipher'

const log = getLogger(['gateway', 'secrets'])

/** The additional data a ciphertext is bound to: its owner and name. */
const context = (userId: string, name: string): string => `${userId}\n${name}`
const normalise = (name: string): string => name.trim().toLowerCase()

/**
 * Per-user secrets, encrypted at rest (`SecretCipher`). Plaintext leaves only through `get`, to
 * the code that needs it. Every stored value is also registered with the log redactor, so it is
 * masked in any log line that would carry it; a replaced or deleted value stays masked until the
 * process restarts (it may still be live at its provider).
 */
export class SecretsService implements SecretsPort {
  private constructor(
    private readonly db: Db,
    private readonly cipher: SecretCipher,
    private readonly clock: Clock,
    private readonly redactor: Redactor | undefined,
  ) {}

  /** Opens the service and registers every stored value with the redactor. */
  static async open(db: Db, cipher: SecretCipher, clock: Clock, redactor?: Redactor): Promise<SecretsService> {
    const service = new SecretsService(db, cipher, clock, redactor)
    if (redactor) {
      const rows = await db.selectFrom('secrets').select(['user_id', 'name', 'ciphertext', 'key_id']).execute()
      let unreadable = 0
      for (const row of rows) {
        if (row.key_id !== cipher.keyId) {
          unreadable++
          continue
        }
        try {
          redactor.add(await cipher.decrypt(row.ciphertext, context(row.user_id, row.name)))
        } catch {
          unreadable++
        }
      }
      if (unreadable > 0) {
        log.warn('{count} stored secrets cannot be decrypted with this master key (was GATEWAY_MASTER_KEY changed?)', { count: unreadable })
      }
    }
    return service
  }

  async get(userId: string, name: string): Promise<string | undefined> {
    const key = normalise(name)
    const row = await this.db
      .selectFrom('secrets')
      .select(['ciphertext', 'key_id', 'expires_at'])
      .where('user_id', '=', userId)
      .where('name', '=', key)
      .executeTakeFirst()
    if (!row) return undefined
    if (row.expires_at !== null && row.expires_at <= isoNow(this.clock)) return undefined
    if (row.key_id !== this.cipher.keyId) {
      throw new GatewayError(500, 'secret_key_mismatch', 'The secret was stored under another master key (GATEWAY_MASTER_KEY changed?)')
    }
    return this.cipher.decrypt(row.ciphertext, context(userId, key))
  }

  async set(userId: string, name: string, value: string, options: SecretOptions = {}): Promise<void> {
    const key = normalise(name)
    const now = isoNow(this.clock)
    const ciphertext = await this.cipher.encrypt(value, context(userId, key))
    await this.db
      .insertInto('secrets')
      .values({
        id: crypto.randomUUID(),
        user_id: userId,
        name: key,
        ciphertext,
        key_id: this.cipher.keyId,
        provider: options.provider ?? null,
        expires_at: options.expiresAt ?? null,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) =>
        oc.columns(['user_id', 'name']).doUpdateSet({
          ciphertext,
          key_id: this.cipher.keyId,
          provider: options.provider ?? null,
          expires_at: options.expiresAt ?? null,
          updated_at: now,
        }),
      )
      .execute()
    this.redactor?.add(value)
  }

  async delete(userId: string, name: string): Promise<boolean> {
    const key = normalise(name)
    const result = await this.db.deleteFrom('secrets').where('user_id', '=', userId).where('name', '=', key).executeTakeFirst()
    return Number(result.numDeletedRows) > 0
  }

  async list(userId: string): Promise<SecretInfo[]> {
    return this.db
      .selectFrom('secrets')
      .select(['name', 'provider', 'expires_at', 'created_at', 'updated_at'])
      .where('user_id', '=', userId)
      .orderBy('name')
      .execute()
  }

  async deleteUser(userId: string): Promise<void> {
    await this.db.deleteFrom('secrets').where('user_id', '=', userId).execute()
  }
}
