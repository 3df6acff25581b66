import { type Kysely, sql } from 'kysely'
import type { Dialect } from '../database'

/** The event log behind `Last-Event-ID` replay. */
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('events')
    .addColumn('id', dialect === 'postgres' ? sql`bigint generated always as identity` : 'integer', (c) =>
      dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('user_id', 'text')
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('events_user_id_idx').on('events').columns(['user_id', 'id']).execute()
  await db.schema.createIndex('events_created_at_idx').on('events').column('created_at').execute()
}
