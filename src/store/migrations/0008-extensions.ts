import type { Kysely } from 'kysely'
import type { Dialect } from '../database'

/** Installed extensions per user and pending OAuth sign-ins (see `tables/extensions.ts`). */
export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('extension_installs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('manifest', 'text', (c) => c.notNull())
    .addColumn('config', 'text', (c) => c.notNull())
    .addColumn('enabled', 'boolean', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('extension_installs_user_name_unique', ['user_id', 'name'])
    .execute()
  await db.schema.createIndex('extension_installs_enabled_idx').on('extension_installs').column('enabled').execute()

  await db.schema
    .createTable('extension_oauth_flows')
    .addColumn('state_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('extension', 'text', (c) => c.notNull())
    .addColumn('code_verifier', 'text', (c) => c.notNull())
    .addColumn('redirect_uri', 'text', (c) => c.notNull())
    .addColumn('redirect_after', 'text', (c) => c.notNull())
    .addColumn('browser_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('extension_oauth_flows_user_idx').on('extension_oauth_flows').columns(['user_id', 'extension']).execute()
  await db.schema.createIndex('extension_oauth_flows_created_idx').on('extension_oauth_flows').column('created_at').execute()
}
