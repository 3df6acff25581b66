import { type Kysely, sql } from 'kysely'
import type { Dialect } from '../database'

/**
 * The per-user model-call budget's recent starts, kept in the database on PostgreSQL so every
 * instance sharing it counts the same starts (`StoreRateLimiter`). A key holds at most its
 * limit of rows: each hit first deletes the key's starts that left the window.
 */
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('rate_hits')
    .addColumn('id', dialect === 'postgres' ? sql`bigint generated always as identity` : 'integer', (c) =>
      dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('rate_hits_key_at_idx').on('rate_hits').columns(['key', 'at']).execute()
}
