import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { PostgresDialect } from 'kysely'
import type pg from 'pg'
import type { PgNotifierOptions } from './pg-notifier'
import type { Store } from '../../src/store/database'
import { openStore } from '../../src/store/open-store'
import { lockDataDir } from './data-dir-lock'
import { discardingPool } from './postgres-pool'

/** Opens SQLite at `file` with the runtime's own driver; `onClose` releases the data-dir lock. */
export type SqliteOpener = (file: string, onClose?: () => void) => Promise<Store>

/** What opening the configured database takes from the configuration. */
export interface StoreOptions {
  dataDir: string
  databaseUrl?: string | undefined
  /** PostgreSQL: see `openPostgresStore`'s `timeoutMs`. */
  databaseTimeoutMs?: number | undefined
}

const isPostgresUrl = (url: string | undefined): url is string => !!url && /^postgres(ql)?:\/\//.test(url)

/**
 * Opens the database the configuration asks for: PostgreSQL when `DATABASE_URL` is a
 * `postgres://` URL, else SQLite in `<dataDir>/gateway.db` through the runtime's driver
 * (better-sqlite3, bun:sqlite, node:sqlite), holding the data-dir lock while open.
 */
export async function openConfiguredStore(
  options: StoreOptions,
  openSqlite: SqliteOpener,
): Promise<Store> {
  if (isPostgresUrl(options.databaseUrl)) {
    return openPostgresStore(options.databaseUrl, { migrationSchema: searchPathOf(options.databaseUrl), timeoutMs: options.databaseTimeoutMs })
  }
  mkdirSync(options.dataDir, { recursive: true })
  const unlock = lockDataDir(options.dataDir)
  try {
    return await openSqlite(join(options.dataDir, 'gateway.db'), unlock)
  } catch (error) {
    unlock()
    throw error
  }
}

/**
 * The pragmas every SQLite driver gets: WAL, a busy timeout, foreign keys, and the database held
 * exclusively. One gateway owns its data directory (`lockDataDir`), and a shared lock costs two
 * `fcntl` calls around every statement: in a request that made a one-row read ~20 us instead of
 * ~2 (bench: `http GET /api/chat/history`). Other processes cannot open the file while the
 * gateway runs (the README says how to back it up).
 */
export const SQLITE_PRAGMAS = ['journal_mode = WAL', 'synchronous = NORMAL', 'busy_timeout = 5000', 'foreign_keys = ON', 'locking_mode = EXCLUSIVE'] as const

/**
 * The schema a `DATABASE_URL` selects with `?options=-c search_path=NAME` (libpq's way), so the
 * migration tables go there too and not to whatever `public` holds.
 */
function searchPathOf(url: string): string | undefined {
  try {
    return /(?:^|\s)-c\s*search_path=([A-Za-z_][A-Za-z0-9_]*)/.exec(new URL(url).searchParams.get('options') ?? '')?.[1]
  } catch {
    return undefined
  }
}

/** How long a request waits on PostgreSQL by default: for a connection, then for each query. */
const DEFAULT_DATABASE_TIMEOUT_MS = 5_000

/**
 * PostgreSQL through `pg`, which Node, Bun and Deno all run: a pool for queries, and a notifier
 * (one dedicated connection) that carries events and control messages between the gateway
 * instances sharing the database. `searchPath` sets the connection's schema; `migrationSchema`
 * (default: `searchPath`) names where the migration tables live.
 *
 * `timeoutMs` (`DATABASE_TIMEOUT_SECS`) bounds the wait for a pooled connection (a new one, or
 * one to free up when all 10 are busy) and then each query, so a server that is down, overloaded
 * or silent (blackholed: connections open, nothing answered) costs a request a 503
 * `database_unavailable` within that time instead of a hang until TCP gives up (minutes). 5 s:
 * the queries of a request take milliseconds, and a user waiting longer than that for any one
 * of them is better told to retry. The bound is on the client only (`query_timeout`), not the
 * server's `statement_timeout`: background work such as pruning a day of events may run longer
 * once, and the server then finishes it although nobody waits for the answer.
 */
export async function openPostgresStore(
  connectionString: string,
  options: {
    searchPath?: string
    migrationSchema?: string | undefined
    timeoutMs?: number | undefined
    onClose?: () => Promise<void> | void
    notifier?: PgNotifierOptions
  } = {},
): Promise<Store> {
  // Loaded only for PostgreSQL: it is a good part of the start-up time of a SQLite gateway.
  const [{ default: driver }, { PgNotifier }] = await Promise.all([import('pg'), import('./pg-notifier')])
  // int8 (bigint) columns, such as event ids and counts, as JS numbers: they stay below 2^53 here.
  driver.types.setTypeParser(20, (value) => Number(value))
  const timeoutMs = options.timeoutMs ?? DEFAULT_DATABASE_TIMEOUT_MS
  const connection: pg.ClientConfig = {
    connectionString,
    connectionTimeoutMillis: timeoutMs,
    ...(options.searchPath ? { options: `-c search_path=${options.searchPath}` } : {}),
  }
  const pool = new driver.Pool({ ...connection, max: 10, idleTimeoutMillis: 30_000, query_timeout: timeoutMs })
  // Migrations get their own connection without the query timeout: an instance waits on the
  // migration lock (in a query) for as long as another instance takes to migrate.
  const migrationPool = new driver.Pool({ ...connection, max: 1 })
  // A client that loses its connection must not crash the process: idle ones report through the
  // pool's 'error'; one checked out for a query also emits 'error' on itself (a database restart
  // or a reset mid-query was an uncaught exception), while the query gets the error anyway.
  for (const p of [pool, migrationPool]) {
    p.on('error', () => undefined)
    p.on('connect', (client) => client.on('error', () => undefined))
  }
  const notifier = new PgNotifier({ connectionString, connectionTimeoutMillis: timeoutMs }, pool, options.notifier)
  return openStore({
    dialect: new PostgresDialect({ pool: discardingPool(pool) }),
    migrationDialect: new PostgresDialect({ pool: migrationPool }),
    kind: 'postgres',
    notifier,
    migrationSchema: options.migrationSchema ?? options.searchPath,
    onClose: async () => {
      await notifier.close()
      await options.onClose?.()
    },
  })
}
