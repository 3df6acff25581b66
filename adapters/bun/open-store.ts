import { Database } from 'bun:sqlite'
import { SqliteDialect } from 'kysely'
import type { Store } from '../../src/store/database'
import { openStore as openDatabase } from '../../src/store/open-store'
import { openConfiguredStore, SQLITE_PRAGMAS, type StoreOptions } from '../shared/open-store'

/**
 * The configured database on Bun: PostgreSQL for a `postgres://` `DATABASE_URL` (through `pg`),
 * else SQLite in `<dataDir>/gateway.db` through bun:sqlite.
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

/** bun:sqlite goes to Kysely's SqliteDialect as it is: its statements have `reader`, `all`, `run`, `iterate`. */
export async function openSqliteStore(file: string, onClose?: () => void): Promise<Store> {
  const database = new Database(file, { create: true })
  for (const pragma of SQLITE_PRAGMAS) database.exec(`PRAGMA ${pragma}`)
  return openDatabase({ dialect: new SqliteDialect({ database }), kind: 'sqlite', onClose })
}
