import { type Clock, isoNow } from '../../lib/time'
import type { Setting } from '../../protocol/settings'
import type { Db } from '../../store/database'
import type { SettingsPort } from './port'

/** Settings in the `settings` table, keyed by (user, key); values are JSON text. */
export class SettingsService implements SettingsPort {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async list(userId: string): Promise<Setting[]> {
    const rows = await this.db.selectFrom('settings').select(['key', 'value', 'updated_at']).where('user_id', '=', userId).orderBy('key').execute()
    return rows.map(toSetting)
  }

  async get(userId: string, key: string): Promise<Setting | undefined> {
    const row = await this.db
      .selectFrom('settings')
      .select(['key', 'value', 'updated_at'])
      .where('user_id', '=', userId)
      .where('key', '=', key)
      .executeTakeFirst()
    return row && toSetting(row)
  }

  async set(userId: string, key: string, value: unknown): Promise<Setting> {
    const updated_at = isoNow(this.clock)
    await upsert(this.db, userId, key, JSON.stringify(value), updated_at)
    return { key, value, updated_at }
  }

  async delete(userId: string, key: string): Promise<boolean> {
    const result = await this.db.deleteFrom('settings').where('user_id', '=', userId).where('key', '=', key).executeTakeFirst()
    return Number(result.numDeletedRows) > 0
  }

  async export(userId: string): Promise<Record<string, unknown>> {
    // fromEntries defines own properties, so a `__proto__` key could never reach a prototype.
    return Object.fromEntries((await this.list(userId)).map((s) => [s.key, s.value]))
  }

  async import(userId: string, values: Record<string, unknown>, mode: 'merge' | 'replace'): Promise<number> {
    const updated_at = isoNow(this.clock)
    const entries = Object.entries(values)
    await this.db.transaction().execute(async (trx) => {
      if (mode === 'replace') await trx.deleteFrom('settings').where('user_id', '=', userId).execute()
      for (const [key, value] of entries) await upsert(trx, userId, key, JSON.stringify(value), updated_at)
    })
    return entries.length
  }

  async deleteUser(userId: string): Promise<void> {
    await this.db.deleteFrom('settings').where('user_id', '=', userId).execute()
  }
}

const upsert = (db: Db, userId: string, key: string, value: string, updated_at: string) =>
  db
    .insertInto('settings')
    .values({ user_id: userId, key, value, updated_at })
    .onConflict((oc) => oc.columns(['user_id', 'key']).doUpdateSet({ value, updated_at }))
    .execute()

const toSetting = (row: { key: string; value: string; updated_at: string }): Setting => ({
  key: row.key,
  value: JSON.parse(row.value) as unknown,
  updated_at: row.updated_at,
})
