import { type Kysely, sql } from 'kysely'
import type { Dialect } from '../database'

/**
 * A version per thread, raised by the database itself whenever a turn or an approval of the
 * thread is written: the history route keeps a thread's rendered history until it moves
 * (`HistoryCache`). Triggers and not application code, so no write path can forget it, the bump
 * commits with the write it belongs to, and every instance on PostgreSQL sees it.
 */
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  await db.schema.alterTable('chat_threads').addColumn('version', 'integer', (c) => c.notNull().defaultTo(0)).execute()
  if (dialect === 'postgres') {
    await sql`
      CREATE FUNCTION gateway_bump_thread_version() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE chat_threads SET version = version + 1 WHERE id = NEW.thread_id;
        RETURN NULL;
      END $$`.execute(db)
    for (const table of ['chat_turns', 'chat_approvals']) {
      await sql`CREATE TRIGGER ${sql.id(`${table}_bump_thread_version`)} AFTER INSERT OR UPDATE ON ${sql.table(table)}
        FOR EACH ROW EXECUTE FUNCTION gateway_bump_thread_version()`.execute(db)
    }
    return
  }
  for (const table of ['chat_turns', 'chat_approvals']) {
    for (const event of ['insert', 'update']) {
      await sql`CREATE TRIGGER ${sql.id(`${table}_${event}_bump_thread_version`)} AFTER ${sql.raw(event.toUpperCase())} ON ${sql.table(table)}
        BEGIN UPDATE chat_threads SET version = version + 1 WHERE id = NEW.thread_id; END`.execute(db)
    }
  }
}
