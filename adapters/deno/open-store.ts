import { SqliteDialect } from 'kysely'
import { DatabaseSync } from 'node:sqlite'
import type { Store } from '../../src/store/database'
import { openStore } from '../../src/store/open-store'
import { openConfiguredStore, SQLITE_PRAGMAS, type StoreOptions } from '../shared/open-store'
import { nodeSqliteDatabase } from './node-sqlite-database'

/**
 * The configured database on Deno: PostgreSQL for a `postgres://` `DATABASE_URL` (through `pg`),
 * else SQLite in `<dataDir>/gateway.db` through node:sqlite.
 */
export function openDenoStore(options: StoreOptions): Promise<Store> {
  return openConfiguredStore(options, openDenoSqliteStore)
}

export async function openDenoSqliteStore(file: string, onClose?: () => void): Promise<Store> {
  const database = new DatabaseSync(file)
  for (const pragma of SQLITE_PRAGMAS) database.exec(`PRAGMA ${pragma}`)
  return openStore({ dialect: new SqliteDialect({ database: nodeSqliteDatabase(database) }), kind: 'sqlite', onClose })
}
