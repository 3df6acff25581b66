/**
 * Whether a write failed on a unique index or primary key, on any driver: PostgreSQL's SQLSTATE
 * 23505, better-sqlite3's codes, and the message bun:sqlite and node:sqlite give. Callers turn it
 * into a retry or a 409; a race two checks-then-inserts lose is a conflict, never a 500.
 */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null
  const code = e?.code
  return (
    code === '23505' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    (typeof e?.message === 'string' && /UNIQUE constraint failed/.test(e.message))
  )
}
