import type { Kysely } from 'kysely'
import type { Dialect } from '../database'

/** Routines and their runs. */
export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('routines')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('enabled', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('trigger_type', 'text', (c) => c.notNull())
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('webhook_path', 'text')
    .addColumn('webhook_secret', 'text')
    .addColumn('action_type', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('cooldown_secs', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_concurrent', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('thread_id', 'text', (c) => c.notNull())
    .addColumn('next_fire_at', 'text')
    .addColumn('last_run_at', 'text')
    .addColumn('last_status', 'text')
    .addColumn('run_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('consecutive_failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('is_verified', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('routines_user_idx').on('routines').columns(['user_id', 'created_at']).execute()
  // The scheduler's question: which enabled routine fires next.
  await db.schema.createIndex('routines_due_idx').on('routines').columns(['enabled', 'next_fire_at']).execute()
  await db.schema.createIndex('routines_webhook_path_idx').on('routines').column('webhook_path').unique().execute()

  await db.schema
    .createTable('routine_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('routine_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('trigger_type', 'text', (c) => c.notNull())
    .addColumn('trigger_key', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('result_summary', 'text')
    .addColumn('tokens_used', 'integer')
    .addColumn('job_id', 'text')
    .addColumn('thread_id', 'text')
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('completed_at', 'text')
    .execute()
  await db.schema.createIndex('routine_runs_routine_idx').on('routine_runs').columns(['routine_id', 'started_at']).execute()
  // NULL keys (manual runs) never collide: both dialects treat NULLs as distinct in unique indexes.
  await db.schema.createIndex('routine_runs_trigger_key_idx').on('routine_runs').columns(['routine_id', 'trigger_key']).unique().execute()
  await db.schema.createIndex('routine_runs_user_idx').on('routine_runs').column('user_id').execute()
  // The sweep for runs a stopped instance left `running`.
  await db.schema.createIndex('routine_runs_status_idx').on('routine_runs').columns(['status', 'started_at']).execute()
}
