import type { SqliteDatabase } from 'kysely'
import type { DatabaseSync } from 'node:sqlite'

/**
 * node:sqlite shaped for Kysely's SqliteDialect, which expects better-sqlite3's statements:
 * parameters come as one array (node:sqlite takes them spread), and `reader` (whether the
 * statement returns rows) comes from its result columns.
 */
export function nodeSqliteDatabase(database: DatabaseSync): SqliteDatabase {
  return {
    close: () => database.close(),
    prepare(sql) {
      const statement = database.prepare(sql)
      return {
        reader: statement.columns().length > 0,
        all: (parameters) => statement.all(...parameters),
        run: (parameters) => statement.run(...parameters),
        iterate: (parameters) => statement.iterate(...parameters),
      }
    },
  }
}
