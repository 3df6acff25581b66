import { type Dialect as KyselyDialect, Kysely, type MigrationResult, Migrator, sql } from 'kysely'
import type { Database, Dialect, Notifier, Store } from './database'
import { migrationProvider } from './migrations/index'
import { SqliteBooleanPlugin } from './sqlite-boolean-plugin'
import { BOOLEAN_COLUMNS } from './boolean-columns'
import { NulTextPlugin } from './nul-text-plugin'
import { withSchemaScopedIntrospection } from './schema-scoped-introspector'
import { countingWrites } from './write-counting-dialect'
import { errorMessage } from '../lib/errors'

/**
 * Opens a store over a Kysely dialect the adapter built (better-sqlite3, bun:sqlite, node:sqlite
 * or pg) and brings the schema up to date. On PostgreSQL, Kysely's migrator holds a session
 * advisory lock around one transaction for all pending migrations, so instances starting together
 * run each migration once: the others wait, then find nothing left to do. The runtime adapters'
 * `openStore(config)` build the dialect from the configuration and call this.
 *
 * @example
 * ```ts
 * const store = await openStore({ dialect: new SqliteDialect({ database: new Database('gateway.db') }), kind: 'sqlite' })
 * ```
 */
export async function openStore(options: {
  dialect: KyselyDialect
  /**
   * Where migrations run, when not on `dialect`'s connections: on PostgreSQL one without the
   * pool's query timeout, since an instance waits on the migration lock (in a query) for as long
   * as another one takes to migrate. Closed once they are done.
   */
  migrationDialect?: KyselyDialect
  kind: Dialect
  notifier?: Notifier
  /** PostgreSQL schema of the migration tables, when not `public` (isolated test schemas). */
  migrationSchema?: string
  /** Extra cleanup (driver pools, lock files). */
  onClose?: () => Promise<void> | void
}): Promise<Store> {
  const kysely = (dialect: KyselyDialect) =>
    new Kysely<Database>({
      dialect: options.kind === 'postgres' ? withSchemaScopedIntrospection(dialect) : dialect,
      plugins: options.kind === 'sqlite' ? [new NulTextPlugin(), new SqliteBooleanPlugin(BOOLEAN_COLUMNS)] : [new NulTextPlugin()],
    })
  // One process holds a SQLite database, so the writes it counts are all of them.
  const counting = options.kind === 'sqlite' ? countingWrites(options.dialect) : undefined
  const db = kysely(counting ?? options.dialect)
  const migrationDb = options.migrationDialect ? kysely(options.migrationDialect) : db
  let error: unknown
  let results: MigrationResult[] | undefined
  try {
    // On PostgreSQL the migration tables are looked up in one schema: left unnamed, Kysely would
    // take a `kysely_migration` table in any schema of the database for ours.
    const schema = options.migrationSchema ?? (options.kind === 'postgres' ? await currentSchema(migrationDb) : undefined)
    const migrator = new Migrator({
      db: migrationDb,
      provider: migrationProvider(options.kind),
      // Domains were developed in parallel and numbered ahead of time; a database that already
      // ran a later-numbered one still takes an earlier one that arrives afterwards.
      allowUnorderedMigrations: true,
      // Names are `0001-core`...: plain code-unit order. Kysely's default, localeCompare, sets up
      // ICU collation on its first call, a few milliseconds of every start.
      nameComparator: (a, b) => (a < b ? -1 : a > b ? 1 : 0),
      ...(schema ? { migrationTableSchema: schema } : {}),
    })
    ;({ error, results } = await migrator.migrateToLatest())
  } catch (thrown) {
    error = thrown
  } finally {
    if (migrationDb !== db) await migrationDb.destroy().catch(() => undefined)
  }
  const failed = results?.find((r) => r.status === 'Error')
  if (error || failed) {
    await db.destroy()
    await options.onClose?.()
    const which = failed ? `migration ${failed.migrationName}` : 'migration'
    // The cause tells a database that cannot be reached (worth waiting for) from a broken migration.
    throw new Error(`database ${which} failed: ${errorMessage(error)}`, { cause: error })
  }
  let closed = false
  return {
    db,
    dialect: options.kind,
    notifier: options.notifier,
    writes: counting?.writes,
    async close() {
      if (closed) return
      closed = true
      await db.destroy()
      await options.onClose?.()
    },
  }
}

async function currentSchema(db: Kysely<Database>): Promise<string | undefined> {
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db)
  return rows[0]?.schema ?? undefined
}
