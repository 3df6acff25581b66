import type { Kysely } from 'kysely'
import type { Dialect } from '../database'

/** The default lifetime of an approval that existed before approvals expired (`GATEWAY_APPROVAL_TTL_SECS`' default). */
const DEFAULT_TTL_MS = 24 * 3600_000

/**
 * Approvals as resources: when each expires unanswered, the decisions a client may send (fixed
 * when it is created) and the decision that ended it (`always` and `approve` both store
 * `approved`). Pending approvals get the default lifetime from their creation; ended ones their
 * decision from their status.
 */
export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('chat_approvals').addColumn('expires_at', 'text').execute()
  await db.schema.alterTable('chat_approvals').addColumn('decisions', 'text', (c) => c.notNull().defaultTo('["approve","deny","always"]')).execute()
  await db.schema.alterTable('chat_approvals').addColumn('decision', 'text').execute()
  const pending = await db.selectFrom('chat_approvals').select(['request_id', 'created_at']).where('status', '=', 'pending').execute()
  for (const row of pending as Array<{ request_id: string; created_at: string }>) {
    const expires = new Date(Date.parse(row.created_at) + DEFAULT_TTL_MS).toISOString()
    await db.updateTable('chat_approvals').set({ expires_at: expires }).where('request_id', '=', row.request_id).execute()
  }
  for (const [status, decision] of [['approved', 'approve'], ['denied', 'deny'], ['cancelled', 'cancelled'], ['expired', 'expired']]) {
    await db.updateTable('chat_approvals').set({ decision }).where('status', '=', status).execute()
  }
  // The inbox lists a user's approvals by status, newest first; the expiry sweep finds due ones.
  await db.schema.createIndex('chat_approvals_user_status_idx').on('chat_approvals').columns(['user_id', 'status', 'created_at']).execute()
  await db.schema.createIndex('chat_approvals_status_expires_idx').on('chat_approvals').columns(['status', 'expires_at']).execute()
}
