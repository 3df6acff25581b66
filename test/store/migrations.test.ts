import { Kysely, type Migration, Migrator, PostgresDialect, sql } from 'kysely'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { openSqliteStore } from '../../adapters/node/open-store'
import type { Store } from '../../src/store/database'
import { withSchemaScopedIntrospection } from '../../src/store/schema-scoped-introspector'
import { availableDialects, createTestSchema, dropTestSchema, openSchemaStore, POSTGRES_URL, tempDir, testStoreOf, withAdmin } from '../support/store'

const EXPECTED_TABLES = ['bus_controls', 'events', 'llm_usage']
const MIGRATIONS = ['0001_core', '0002_usage', '0009_bus']

/** Our tables (not Kysely's introspection, which scans every schema and races with other tests' DROP SCHEMA). */
const tablesOf = async (store: Store) => {
  const query =
    store.dialect === 'postgres'
      ? sql<{ name: string }>`select tablename as name from pg_tables where schemaname = current_schema()`
      : sql<{ name: string }>`select name from sqlite_master where type = 'table'`
  const { rows } = await query.execute(store.db)
  return rows.map((r) => r.name).filter((name) => !name.startsWith('kysely_') && !name.startsWith('sqlite_')).sort()
}

const executedMigrations = async (store: Store) =>
  (await store.db.selectFrom('kysely_migration' as never).select('name' as never).orderBy('name' as never).execute()).map(
    (r) => (r as { name: string }).name,
  )

describe.each(availableDialects)('migrations on an empty %s database', (dialect) => {
  it('create every table, record each migration once, and do nothing on the next start', async () => {
    const store = await testStoreOf(dialect)
    try {
      expect(await tablesOf(store)).toEqual(expect.arrayContaining(EXPECTED_TABLES))
      expect(await executedMigrations(store)).toEqual(expect.arrayContaining(MIGRATIONS))
      // Every table is usable, not just present.
      await store.db.insertInto('bus_controls').values({ origin: 'o', payload: '{}', created_at: new Date().toISOString() }).execute()
      expect(await store.db.selectFrom('bus_controls').select('id').execute()).toHaveLength(1)
    } finally {
      await store.close()
    }
  })
})

describe('migrations on SQLite', () => {
  it('reopening a database runs nothing again and keeps the data', async () => {
    const file = `${tempDir('gw-mig-')}/gateway.db`
    const first = await openSqliteStore(file)
    await first.db.insertInto('events').values({ user_id: 'u', type: 'status', payload: '{"type":"status"}', created_at: new Date().toISOString() }).execute()
    const before = await executedMigrations(first)
    await first.close()
    const second = await openSqliteStore(file)
    expect(await executedMigrations(second)).toEqual(before)
    expect(await second.db.selectFrom('events').select('id').execute()).toHaveLength(1)
    await second.close()
  })
})

describe.skipIf(!POSTGRES_URL)('migrations on PostgreSQL', () => {
  const schemas: string[] = []
  afterAll(async () => {
    for (const schema of schemas) await dropTestSchema(schema)
  })

  it('creates the bus and thread-version functions in the schema', async () => {
    const schema = await createTestSchema()
    schemas.push(schema)
    const store = await openSchemaStore(schema)
    const { rows } = await sql<{ proname: string }>`select p.proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = ${schema} order by 1`.execute(store.db)
    expect(rows.map((r) => r.proname)).toEqual(['gateway_bump_thread_version', 'gateway_publish_control', 'gateway_publish_events'])
    await store.close()
  })

  it('four instances starting at once on an empty database all come up, and each migration runs once', async () => {
    const schema = await createTestSchema()
    schemas.push(schema)
    const stores = await Promise.all([1, 2, 3, 4].map(() => openSchemaStore(schema)))
    try {
      const names = await executedMigrations(stores[0]!)
      expect(names).toEqual([...names].sort())
      expect(new Set(names).size).toBe(names.length)
      expect(names).toEqual(expect.arrayContaining(MIGRATIONS))
      for (const store of stores) expect(await tablesOf(store)).toEqual(expect.arrayContaining(EXPECTED_TABLES))
    } finally {
      await Promise.all(stores.map((s) => s.close()))
    }
  })

  it('starts cleanly while other schemas of the database are being dropped', async () => {
    // Kysely's own introspection scans every schema and fails on one dropped mid-query.
    let churning = true
    const churn = withAdmin(async (admin) => {
      for (let i = 0; churning; i++) {
        const other = `churn_${crypto.randomUUID().replace(/-/g, '').slice(0, 12)}`
        await admin.query(`create schema ${other}; create table ${other}.t (id serial primary key, a text); drop schema ${other} cascade`)
      }
    })
    try {
      for (let i = 0; i < 10; i++) {
        const schema = await createTestSchema()
        schemas.push(schema)
        const store = await openSchemaStore(schema)
        expect(await tablesOf(store)).toEqual(expect.arrayContaining(EXPECTED_TABLES))
        await store.close()
      }
    } finally {
      churning = false
      await churn
    }
  })

  it("Kysely's migrator lock serialises instances: a slow migration never runs twice or concurrently", async () => {
    const schema = await createTestSchema()
    schemas.push(schema)
    let running = 0
    let maxRunning = 0
    let runs = 0
    const slow: Migration = {
      async up(db) {
        runs++
        running++
        maxRunning = Math.max(maxRunning, running)
        try {
          await db.schema.createTable('probe').addColumn('id', 'integer').execute()
          await sql`select pg_sleep(0.3)`.execute(db)
        } finally {
          running--
        }
      },
    }
    // Three "instances": each its own pool, migrator and connection, started together.
    const instances = [1, 2, 3].map(
      () =>
        new Kysely<unknown>({
          // Scoped as in openStore, so other test files dropping their schemas cannot interfere.
          dialect: withSchemaScopedIntrospection(
            new PostgresDialect({ pool: new pg.Pool({ connectionString: POSTGRES_URL, max: 2, options: `-c search_path=${schema}` }) }),
          ),
        }),
    )
    try {
      const results = await Promise.all(
        instances.map((db) =>
          new Migrator({ db, migrationTableSchema: schema, provider: { getMigrations: async () => ({ '0001_slow': slow }) } }).migrateToLatest(),
        ),
      )
      for (const r of results) expect(r.error).toBeUndefined()
      expect(runs).toBe(1)
      expect(maxRunning).toBe(1)
      // One instance ran it; the others waited for the lock, then found nothing to do.
      expect(results.map((r) => r.results?.length).sort()).toEqual([0, 0, 1])
    } finally {
      await Promise.all(instances.map((db) => db.destroy()))
    }
  })
})
