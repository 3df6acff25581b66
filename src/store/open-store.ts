import { type Dialect as KyselyDialect, Kysely, Migrator } from 'kysely'
import type { Database, Dialect, Notifier, Store } from './database'
import { migrationProvider } from './migrations/index'
import { SqliteBooleanPlugin } from './sqlite-boolean-plugin'
import { BOOLEAN_COLUMNS } from './boolean-columns'

/**
 * Opens a store over a Kysely dialect the adapter built (better-sqlite3, bun:sqlite, node:sqlite
 * or pg) and brings the schema up to date. On PostgreSQL, Kysely's migrator holds a lock row, so
 * two instances starting together run each migration once.
 */
export async function openStore(options: {
  dialect: KyselyDialect
  kind: Dialect
  notifier?: Notifier
  /** PostgreSQL schema of the migration tables, when not `public` (isolated test schemas). */
  migrationSchema?: string
  /** Extra cleanup (driver pools, lock files). */
  onClose?: () => Promise<void> | void
}): Promise<Store> {
  const db = new Kysely<Database>({
    dialect: options.dialect,
    plugins: options.kind === 'sqlite' ? [new SqliteBooleanPlugin(BOOLEAN_COLUMNS)] : [],
  })
  const migrator = new Migrator({
    db,
    provider: migrationProvider(options.kind),
    ...(options.migrationSchema ? { migrationTableSchema: options.migrationSchema } : {}),
  })
  const { error, results } = await migrator.migrateToLatest()
  const failed = results?.find((r) => r.status === 'Error')
  if (error || failed) {
    await db.destroy()
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`)
  }
  let closed = false
  return {
    db,
    dialect: options.kind,
    notifier: options.notifier,
    async close() {
      if (closed) return
      closed = true
      await db.destroy()
      await options.onClose?.()
    },
  }
}
