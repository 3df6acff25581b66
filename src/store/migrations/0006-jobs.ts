import { type Kysely, sql } from 'kysely'
import type { Dialect } from '../database'

/** Sandbox jobs, their event logs, and the key that signs browse links. */
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('prompt', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('command', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('thread_id', 'text')
    .addColumn('restarted_from', 'text')
    .addColumn('session_id', 'text')
    .addColumn('result', 'text')
    .addColumn('failure_reason', 'text')
    .addColumn('input_tokens', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('output_tokens', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('transitions', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('conversation', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('prompts_closed', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('runner_id', 'text')
    .addColumn('heartbeat_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('completed_at', 'text')
    .execute()
  await db.schema.createIndex('jobs_user_created_idx').on('jobs').columns(['user_id', 'created_at']).execute()
  await db.schema.createIndex('jobs_status_idx').on('jobs').column('status').execute()

  await db.schema
    .createTable('job_events')
    .addColumn('id', dialect === 'postgres' ? sql`bigint generated always as identity` : 'integer', (c) =>
      dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('job_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()
  // Unique: two writers racing for the same seq fail instead of both succeeding.
  await db.schema.createIndex('job_events_job_seq_idx').on('job_events').columns(['job_id', 'seq']).unique().execute()
  await db.schema.createIndex('job_events_user_idx').on('job_events').column('user_id').execute()

  await db.schema
    .createTable('job_signing_keys')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()
}
