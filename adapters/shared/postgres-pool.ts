import type { PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely'
import type pg from 'pg'

/** node-postgres's error when a query outlives `query_timeout`. */
const QUERY_TIMEOUT = 'Query read timeout'

/**
 * What a query gets on a connection whose earlier query timed out (a transaction's rollback, say):
 * the connection is being replaced, so it fails at once instead of queueing behind the lost query.
 */
const DISCARDED_CONNECTION = 'Connection discarded after a query read timeout'

/**
 * The pool as Kysely sees it, except that a connection on which a query timed out is discarded
 * rather than given back. node-postgres stops waiting at `query_timeout` but leaves the query
 * active on the connection, and Kysely releases connections without saying that a query failed:
 * the next borrower would queue behind a query that may never be answered (a blackholed server),
 * so every connection of the pool would end up stuck that way. Released with `destroy`, the
 * connection is closed by the pool (its socket destroyed, since a query is still active) and a
 * fresh one is made on the next checkout.
 */
export function discardingPool(pool: pg.Pool): PostgresPool {
  // The same wrapper for the same connection, so Kysely's per-connection state stays valid.
  const wrappers = new WeakMap<pg.PoolClient, PostgresPoolClient>()
  return {
    async connect() {
      const client = await pool.connect()
      let wrapper = wrappers.get(client)
      if (!wrapper) wrappers.set(client, (wrapper = discardOnTimeout(client)))
      return wrapper
    },
    end: () => pool.end(),
  }
}

function discardOnTimeout(client: pg.PoolClient): PostgresPoolClient {
  let timedOut = false
  const query = async <R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>> => {
    if (timedOut) throw new Error(DISCARDED_CONNECTION)
    try {
      return (await client.query(sql, parameters as unknown[])) as unknown as PostgresQueryResult<R>
    } catch (error) {
      if (error instanceof Error && error.message === QUERY_TIMEOUT) timedOut = true
      throw error
    }
  }
  return {
    // Kysely passes a cursor only when the dialect is given one; ours is not.
    query: query as PostgresPoolClient['query'],
    release: (destroy) => client.release(timedOut || destroy),
  }
}
