import type { Kysely } from 'kysely'
import type { Dialect } from '../database'

/**
 * Marks of the event log that outlive the rows they describe: `compacted_through`, the highest
 * id whose streaming deltas were folded away (`compactEventLog`). A replay from before it would
 * have holes, so it gets `resync` instead.
 */
export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('event_log_marks')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'bigint', (c) => c.notNull())
    .execute()
  // Compaction finds the old deltas by type and age.
  await db.schema.createIndex('events_type_created_at_idx').on('events').columns(['type', 'created_at']).execute()
}
