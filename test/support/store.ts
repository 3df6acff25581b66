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
  const schema = `t_${crypto.randomUUID().replace(/-/g, '').slice(0, 16)}`
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL })
  await admin.connect()
  await admin.query(`CREATE SCHEMA ${schema}`)
  await admin.end()
  const open = () =>
    openPostgresStore(TEST_DATABASE_URL!, {
      searchPath: schema,
      onClose: async () => {
        const client = new pg.Client({ connectionString: TEST_DATABASE_URL })
        await client.connect()
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
        await client.end()
      },
    })
  // Kysely's migrator introspects every schema of the database; another test file dropping its
  // schema at that moment makes the introspection fail ("schema t_... does not exist"). Retry.
  for (let attempt = 1; ; attempt++) {
    try {
      return await open()
    } catch (error) {
      if (attempt >= 5 || !/schema "t_[0-9a-f]+" does not exist/.test(String((error as Error).message))) throw error
    }
  }
}

export const tempDir = (prefix = 'gw-'): string => mkdtempSync(join(tmpdir(), prefix))
