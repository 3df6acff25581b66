import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import Sqlite from 'better-sqlite3'
import { PostgresDialect, SqliteDialect } from 'kysely'
import pg from 'pg'
import { openStore, type Store } from '../../src/store/index'
import { lockDataDir } from './data-dir-lock'
import { PgNotifier, type PgNotifierOptions } from './pg-notifier'

// int8 (bigint) columns, such as event ids and counts, as JS numbers: they stay below 2^53 here.
pg.types.setTypeParser(20, (value) => Number(value))

/**
 * Opens the database the configuration asks for: PostgreSQL when `DATABASE_URL` is a
 * `postgres://` URL, else SQLite in `<dataDir>/gateway.db` (WAL, busy timeout).
 */
export async function openNodeStore(options: { dataDir: string; databaseUrl?: string | undefined }): Promise<Store> {
  const url = options.databaseUrl
  if (url && /^postgres(ql)?:\/\//.test(url)) return openPostgresStore(url)
  mkdirSync(options.dataDir, { recursive: true })
  const unlock = lockDataDir(options.dataDir)
  try {
    return await openSqliteStore(join(options.dataDir, 'gateway.db'), unlock)
  } catch (error) {
    unlock()
    throw error
  }
}

export async function openSqliteStore(file: string, onClose?: () => void): Promise<Store> {
  const database = new Sqlite(file)
  database.pragma('journal_mode = WAL')
  database.pragma('synchronous = NORMAL')
  database.pragma('busy_timeout = 5000')
  database.pragma('foreign_keys = ON')
  return openStore({ dialect: new SqliteDialect({ database }), kind: 'sqlite', onClose })
}

/**
 * PostgreSQL: a pool for queries, and a notifier (one dedicated connection) that carries events
 * and control messages between the gateway instances sharing the database.
 */
export async function openPostgresStore(
  connectionString: string,
  options: { searchPath?: string; onClose?: () => Promise<void> | void; notifier?: PgNotifierOptions } = {},
): Promise<Store> {
  const config: pg.PoolConfig = {
    connectionString,
    max: 10,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    ...(options.searchPath ? { options: `-c search_path=${options.searchPath}` } : {}),
  }
  const pool = new pg.Pool(config)
  // An idle client that loses its connection must not crash the process.
  pool.on('error', () => undefined)
  const notifier = new PgNotifier({ connectionString, connectionTimeoutMillis: 5_000 }, pool, options.notifier)
  return openStore({
    dialect: new PostgresDialect({ pool }),
    kind: 'postgres',
    notifier,
    migrationSchema: options.searchPath,
    onClose: async () => {
      await notifier.close()
      await options.onClose?.()
    },
  })
}
