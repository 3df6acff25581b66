import type Sqlite from 'better-sqlite3'
import type { SqliteDatabase } from 'kysely'

/**
 * better-sqlite3 for Kysely's SqliteDialect with prepared statements reused. Kysely prepares
 * every query afresh, and preparing costs as much as running a small indexed read; the gateway
 * sends a few hundred distinct SQL strings at most, so a bounded map keeps them all.
 * Streaming (`iterate`) gets a statement of its own: one busy in an iteration cannot be rerun.
 */
export function cachedStatements(database: Sqlite.Database, max = 500): SqliteDatabase {
  const cache = new Map<string, Sqlite.Statement>()
  return {
    close: () => database.close(),
    prepare(sql) {
      let statement = cache.get(sql)
      if (!statement) {
        statement = database.prepare(sql)
        if (cache.size >= max) cache.delete(cache.keys().next().value!)
        cache.set(sql, statement)
      }
      const shared = statement
      return {
        reader: shared.reader,
        all: (parameters) => shared.all(parameters),
        run: (parameters) => shared.run(parameters),
        iterate: (parameters) => database.prepare(sql).iterate(parameters),
      }
    },
  }
}
