/** Socket errors that mean the database server cannot be reached right now. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN'])

/**
 * PostgreSQL SQLSTATE classes for the server being away rather than the query being wrong:
 * 08 connection exception, 57P operator intervention (shutdown, cannot connect now), 53
 * insufficient resources (too many connections).
 */
const UNAVAILABLE_SQLSTATE = /^(?:08|57P|53)/

/**
 * What node-postgres says when a connection dies or cannot be made in time (no code attached):
 * a connection that failed, no pooled connection free within the timeout, a query unanswered
 * within `query_timeout`, and a connection the adapter discards after that
 * (adapters/shared/postgres-pool.ts).
 */
const DRIVER_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended unexpectedly|Query read timeout|Connection discarded after a query read timeout/i

/**
 * Whether an error means the database is unreachable (down, restarting, network cut), as opposed
 * to a bug: answered 503 `database_unavailable` instead of 500, and the gateway carries on, since
 * the pool reconnects by itself once the server is back. Follows `cause` chains (Kysely wraps).
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  let current = error
  for (let depth = 0; current && typeof current === 'object' && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code))) return true
    if (current instanceof Error && DRIVER_MESSAGES.test(current.message)) return true
    current = (current as { cause?: unknown }).cause
  }
  return false
}
