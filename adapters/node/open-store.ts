import Sqlite from 'better-sqlite3'
import { SqliteDialect } from 'kysely'
import type { Store } from '../../src/store/database'
import { openStore as openDatabase } from '../../src/store/open-store'
import { openConfiguredStore, SQLITE_PRAGMAS, type StoreOptions } from '../shared/open-store'
import { cachedStatements } from './cached-statements'

export { openPostgresStore } from '../shared/open-store'

/**
 * Opens the database the configuration asks for: PostgreSQL when `DATABASE_URL` is a
 * `postgres://` URL, else SQLite in `<dataDir>/gateway.db` (better-sqlite3, WAL, busy timeout).
 *
 * @example
 * ```ts
 * const store = await openStore({ dataDir: './data', databaseUrl: process.env.DATABASE_URL })
 * const gateway = await createGateway({ store })
 * ```
 */
export function openStore(options: StoreOptions): Promise<Store> {
  return openConfiguredStore(options, openSqliteStore)
}

export async function openSqliteStore(file: string, onClose?: () => void): Promise<Store> {
  const database = new Sqlite(file)
  for (const pragma of SQLITE_PRAGMAS) database.pragma(pragma)
  return openDatabase({ dialect: new SqliteDialect({ database: cachedStatements(database) }), kind: 'sqlite', onClose })
}
