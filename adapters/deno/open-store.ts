import { SqliteDialect } from 'kysely'
import { DatabaseSync } from 'node:sqlite'
import type { Store } from '../../src/store/database'
import { openStore as openDatabase } from '../../src/store/open-store'
import { openConfiguredStore, SQLITE_PRAGMAS, type StoreOptions } from '../shared/open-store'
import { nodeSqliteDatabase } from './node-sqlite-database'

/**
 * The configured database on Deno: PostgreSQL for a `postgres://` `DATABASE_URL` (through `pg`),
 * else SQLite in `<dataDir>/gateway.db` through node:sqlite.
 *
 * @example
 * ```ts
 * const store = await openStore({ dataDir: './data', databaseUrl: Deno.env.get('DATABASE_URL') })
 * const gateway = await createGateway({ store })
 * ```
 */
export function openStore(options: StoreOptions): Promise<Store> {
  return openConfiguredStore(options, openSqliteStore)
}

export async function openSqliteStore(file: string, onClose?: () => void): Promise<Store> {
  const database = new DatabaseSync(file)
  for (const pragma of SQLITE_PRAGMAS) database.exec(`PRAGMA ${pragma}`)
  return openDatabase({ dialect: new SqliteDialect({ database: nodeSqliteDatabase(database) }), kind: 'sqlite', onClose })
}
