import type { CompiledQuery, DatabaseConnection, Dialect, Driver, QueryResult } from 'kysely'

/** A dialect that counts the statements that may have written, once each has run. */
export interface WriteCountingDialect extends Dialect {
  /** Statements run so far that were not plain reads. */
  writes(): number
}

/**
 * Counts the writes made through `dialect`. On SQLite one process holds the database (the data
 * directory's lock, exclusive locking), so this count covers every change to it: a value that
 * has not moved since something was read means that read still holds, without asking the
 * database (`ChatRepository.threadVersion`, bench: `http GET /api/chat/history`).
 *
 * Counted after the statement ran, so a read racing a write is never kept as current. Raw SQL
 * counts unless it is a plain `select`; `begin`/`commit` count too: a count may move with no
 * change, never the other way round.
 */
export function countingWrites(dialect: Dialect): WriteCountingDialect {
  let writes = 0
  const counted = new WeakMap<DatabaseConnection, DatabaseConnection>()
  const count = (connection: DatabaseConnection): DatabaseConnection => {
    let wrapped = counted.get(connection)
    if (!wrapped) {
      wrapped = {
        async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
          try {
            return await connection.executeQuery<R>(query)
          } finally {
            if (!isPlainRead(query)) writes++
          }
        },
        streamQuery: <R>(query: CompiledQuery, chunkSize?: number) => connection.streamQuery<R>(query, chunkSize),
      }
      counted.set(connection, wrapped)
    }
    return wrapped
  }
  return {
    writes: () => writes,
    createDriver: (): Driver => {
      const driver = dialect.createDriver()
      return {
        init: () => driver.init(),
        acquireConnection: async () => count(await driver.acquireConnection()),
        beginTransaction: (connection, settings) => driver.beginTransaction(connection, settings),
        commitTransaction: (connection) => driver.commitTransaction(connection),
        rollbackTransaction: (connection) => driver.rollbackTransaction(connection),
        releaseConnection: (connection) => driver.releaseConnection(connection),
        destroy: () => driver.destroy(),
        ...(driver.savepoint ? { savepoint: driver.savepoint.bind(driver) } : {}),
        ...(driver.rollbackToSavepoint ? { rollbackToSavepoint: driver.rollbackToSavepoint.bind(driver) } : {}),
        ...(driver.releaseSavepoint ? { releaseSavepoint: driver.releaseSavepoint.bind(driver) } : {}),
      }
    },
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createAdapter: () => dialect.createAdapter(),
    createIntrospector: (db) => dialect.createIntrospector(db),
  }
}

const isPlainRead = (query: CompiledQuery): boolean =>
  query.query.kind === 'SelectQueryNode' || (query.query.kind === 'RawNode' && /^\s*select\b/i.test(query.sql))
