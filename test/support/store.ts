import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { openPostgresStore, openSqliteStore } from '../../adapters/node/open-store'
import type { PgNotifierOptions } from '../../adapters/shared/pg-notifier'
import type { Dialect, Store } from '../../src/store/database'

/**
 * The suite runs twice in CI: on SQLite, and on PostgreSQL when GATEWAY_TEST_DATABASE_URL is set.
 * Each test store is isolated (a fresh SQLite file, or a fresh PostgreSQL schema dropped on
 * close), so test files run in parallel.
 */
export const TEST_DATABASE_URL = process.env.GATEWAY_TEST_DATABASE_URL || undefined
export const testDialect = TEST_DATABASE_URL ? 'postgres' : 'sqlite'

/**
 * A PostgreSQL server for the tests that need one whatever the run's dialect (both dialects side
 * by side, several instances on one database): the PostgreSQL run's URL, or `GATEWAY_PG_URL`,
 * which `.ci/run` exports for the SQLite run too. CI without it is a configuration error.
 */
export const POSTGRES_URL = TEST_DATABASE_URL ?? (process.env.GATEWAY_PG_URL || undefined)
if (process.env.CI && !POSTGRES_URL) throw new Error('CI runs need PostgreSQL: set GATEWAY_PG_URL (see .ci/run)')

/**
 * The dialects for suites that compare them side by side: SQLite, plus PostgreSQL when it is
 * configured; the PostgreSQL run (which follows the SQLite one in CI) takes only PostgreSQL.
 */
export const availableDialects: Dialect[] = TEST_DATABASE_URL ? ['postgres'] : POSTGRES_URL ? ['sqlite', 'postgres'] : ['sqlite']

export async function testStore(): Promise<Store> {
  return TEST_DATABASE_URL ? testStoreOf('postgres') : testStoreOf('sqlite')
}

/** A fresh, migrated store of one dialect: a new SQLite file, or a new schema dropped on close. */
export async function testStoreOf(dialect: Dialect): Promise<Store> {
  if (dialect === 'sqlite') return openSqliteStore(join(mkdtempSync(join(tmpdir(), 'gw-store-')), 'gateway.db'))
  const schema = await createTestSchema()
  return openSchemaStore(schema, { onClose: () => dropTestSchema(schema) })
}

/** A new empty schema on `POSTGRES_URL`, to give one test (or several instances) their own database. */
export async function createTestSchema(): Promise<string> {
  if (!POSTGRES_URL) throw new Error('no PostgreSQL configured (GATEWAY_TEST_DATABASE_URL or GATEWAY_PG_URL)')
  const schema = `t_${crypto.randomUUID().replace(/-/g, '').slice(0, 16)}`
  await withAdmin((client) => client.query(`CREATE SCHEMA ${schema}`))
  return schema
}

export async function dropTestSchema(schema: string): Promise<void> {
  await withAdmin((client) => client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`))
}

/** Opens (and migrates) the store of an existing test schema: call it twice for two instances. */
export function openSchemaStore(schema: string, options: { onClose?: () => Promise<void>; notifier?: PgNotifierOptions } = {}): Promise<Store> {
  return openPostgresStore(POSTGRES_URL!, { searchPath: schema, ...options })
}

/** Runs `fn` on a short-lived superuser connection (schema setup, terminating backends). */
export async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_URL })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

export const tempDir = (prefix = 'gw-'): string => mkdtempSync(join(tmpdir(), prefix))

/**
 * A database that can be closed and opened again, as across a gateway restart: the same SQLite
 * file, or the same PostgreSQL schema (dropped by `cleanup`).
 */
export async function reopenableStore(): Promise<{ open(): Promise<Store>; cleanup(): Promise<void> }> {
  if (!TEST_DATABASE_URL) {
    const file = join(tempDir('gw-reopen-'), 'gateway.db')
    return { open: () => openSqliteStore(file), cleanup: async () => undefined }
  }
  const schema = await createTestSchema()
  return { open: () => openSchemaStore(schema), cleanup: () => dropTestSchema(schema) }
}
