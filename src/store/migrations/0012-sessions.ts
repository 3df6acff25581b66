import type { Kysely } from 'kysely'
import type { Dialect } from '../database'

/** Web app cookie sessions and external sign-in identities (see `tables/sessions.ts`). */
export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('web_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('subject', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .execute()
  await db.schema.createIndex('web_sessions_hash_idx').on('web_sessions').column('secret_hash').unique().execute()
  await db.schema.createIndex('web_sessions_user_idx').on('web_sessions').columns(['user_id', 'created_at']).execute()

  await db.schema
    .createTable('external_identities')
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('external_identities_pk', ['provider', 'subject'])
    .execute()
  await db.schema.createIndex('external_identities_user_idx').on('external_identities').column('user_id').execute()
}
