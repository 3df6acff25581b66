import { type Kysely, sql } from 'kysely'
import type { Dialect } from '../database'

/**
 * The cross-instance bus on PostgreSQL (`PostgresEventBus`): a log of control messages, and two
 * functions that append to a log and NOTIFY in one statement.
 *
 * Both functions take a transaction-scoped advisory lock (one per schema, so separate deployments
 * in one database do not contend) before taking an id. Ids are therefore assigned in commit order,
 * and PostgreSQL delivers notifications in commit order, so every instance receives them in id
 * order and "everything with id > the last one I saw" is an exact catch-up after a reconnect.
 * The lock costs little: NOTIFY already serialises the commits of notifying transactions on one
 * lock of its own (async.c, PreCommit_Notify). One statement, so the lock is held for one round
 * trip's worth of server work, never across the network.
 *
 * Payloads that would not fit NOTIFY's 8000-byte limit are left out of the message; listeners
 * read them from the table by id. A message is a JSON header line, then the payload if it fits.
 */
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('bus_controls')
    .addColumn('id', dialect === 'postgres' ? sql`bigint generated always as identity` : 'integer', (c) =>
      dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('bus_controls_created_at_idx').on('bus_controls').column('created_at').execute()
  if (dialect !== 'postgres') return

  // 1735877237 = 'gwbu': our class of advisory locks; the second key is the schema.
  // A batch per call: an instance sends what queued up while its previous call was running, so
  // under load one commit (one WAL flush, under NOTIFY's lock) carries many events.
  await sql`
    CREATE FUNCTION gateway_publish_events(p_channel text, p_user_ids text[], p_types text[], p_payloads text[], p_created_at text)
    RETURNS bigint[] LANGUAGE plpgsql AS $$
    DECLARE
      ids bigint[] := '{}';
      new_id bigint;
      header text;
    BEGIN
      PERFORM pg_advisory_xact_lock(1735877237, hashtext(current_schema()));
      FOR i IN 1 .. coalesce(array_length(p_payloads, 1), 0) LOOP
        INSERT INTO events (user_id, type, payload, created_at)
          VALUES (p_user_ids[i], p_types[i], p_payloads[i], p_created_at)
          RETURNING id INTO new_id;
        ids := ids || new_id;
        header := json_build_object('e', new_id, 'u', p_user_ids[i], 't', p_types[i])::text;
        IF octet_length(header) + 1 + octet_length(p_payloads[i]) < 8000 THEN
          PERFORM pg_notify(p_channel, header || chr(10) || p_payloads[i]);
        ELSE
          PERFORM pg_notify(p_channel, header);
        END IF;
      END LOOP;
      RETURN ids;
    END
    $$`.execute(db)

  await sql`
    CREATE FUNCTION gateway_publish_control(p_channel text, p_origin text, p_payload text, p_created_at text)
    RETURNS bigint LANGUAGE plpgsql AS $$
    DECLARE
      new_id bigint;
      header text;
    BEGIN
      PERFORM pg_advisory_xact_lock(1735877237, hashtext(current_schema()));
      INSERT INTO bus_controls (origin, payload, created_at)
        VALUES (p_origin, p_payload, p_created_at)
        RETURNING id INTO new_id;
      header := json_build_object('c', new_id, 'o', p_origin)::text;
      IF octet_length(header) + 1 + octet_length(p_payload) < 8000 THEN
        PERFORM pg_notify(p_channel, header || chr(10) || p_payload);
      ELSE
        PERFORM pg_notify(p_channel, header);
      END IF;
      RETURN new_id;
    END
    $$`.execute(db)
}
