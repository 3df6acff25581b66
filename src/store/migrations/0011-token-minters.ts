import type { Kysely } from 'kysely'
import type { Dialect } from '../database'

/**
 * Who minted each API token when it was not its own user (the owner impersonating, an admin
 * creating an account), and whether it is an impersonation token (the owner's, or one minted
 * with one): those are listed as impersonation to both users, and what they mint is too.
 * Existing tokens were minted by their users, or by whoever created the account
 * (`users.created_by`).
 */
export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('api_tokens').addColumn('minted_by', 'text').execute()
  await db.schema.alterTable('api_tokens').addColumn('is_impersonation', 'boolean', (c) => c.notNull().defaultTo(false)).execute()
  await db.schema.createIndex('api_tokens_minted_by_idx').on('api_tokens').column('minted_by').execute()
}
