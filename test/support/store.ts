import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { openPostgresStore, openSqliteStore } from '../../adapters/node/open-node-store'
import type { Store } from '../../src/store/database'

/**
 * The suite runs twice in CI: on SQLite, and on PostgreSQL when GATEWAY_TEST_DATABASE_URL is set.
 * Each test store is isolated (a fresh SQLite file, or a fresh PostgreSQL schema dropped on
 * close), so test files run in parallel.
 */
export const TEST_DATABASE_URL = process.env.GATEWAY_TEST_DATABASE_URL || undefined
export const testDialect = TEST_DATABASE_URL ? 'postgres' : 'sqlite'

export async function testStore(): Promise<Store> {
  if (!TEST_DATABASE_URL) return openSqliteStore(join(mkdtempSync(join(tmpdir(), 'gw-store-')), 'gateway.db'))
  const url = TEST_DATABASE_URL
  const schema = `t_${crypto.randomUUID().replace(/-/g, '').slice(0, 16)}`
  // Kysely's migrator introspects the tables of every schema; a schema dropped by another test
  // file meanwhile fails that query ("schema ... does not exist"). Creating (and migrating) and
  // dropping test schemas under one advisory lock keeps them from overlapping.
  return withSchemaLock(url, async (client) => {
    await client.query(`CREATE SCHEMA ${schema}`)
    return openPostgresStore(url, {
      searchPath: schema,
      onClose: () => withSchemaLock(url, async (c) => void (await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`))),
    })
  })
}

const SCHEMA_LOCK = 7_301_000_004

async function withSchemaLock<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query('SELECT pg_advisory_lock($1)', [SCHEMA_LOCK])
    return await run(client)
  } finally {
    await client.end() // ends the session, which releases the lock
  }
}

export const tempDir = (prefix = 'gw-'): string => mkdtempSync(join(tmpdir(), prefix))
