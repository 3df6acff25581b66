/**
 * Storage latency: p50 of a repository write and read on each dialect, against the raw driver
 * doing the same statement (the cost of Kysely and our plugins), plus what the event buses add,
 * SQLite's durability setting, and the cross-instance hop on PostgreSQL.
 *
 *   npx tsx bench/scenarios/store.ts [--quick|--full] [--pg postgres://...]   (or GATEWAY_PG_URL)
 *
 * Runs in-process, one operation at a time (latency, not throughput). Without PostgreSQL only
 * the SQLite rows are measured.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import Sqlite from 'better-sqlite3'
import pg from 'pg'
import { openPostgresStore, openSqliteStore } from '../../adapters/node/open-store'
import { SQLITE_PRAGMAS } from '../../adapters/shared/open-store'
import type { EventBus } from '../../src/ports/event-bus'
import { appEvent } from '../../src/protocol/events'
import { UsageService } from '../../src/services/usage/usage-service'
import type { Store } from '../../src/store/database'
import { openStoreEventBus } from '../../src/bus/open-event-bus'

export interface StoreBenchContext {
  quick: boolean
  full: boolean
  pgUrl?: string
}

export interface StoreBenchRow {
  scenario: string
  unit: string
  baseline?: number
  value: number
  goal?: string
  note?: string
}

const clock = { now: () => Date.now() }
/** Rows already in the usage table, so reads go through the index as in a live gateway. */
const BACKGROUND_ROWS = 5_000
const READ_USER_ROWS = 20

export async function run(ctx: StoreBenchContext): Promise<StoreBenchRow[]> {
  const samples = ctx.quick ? 150 : ctx.full ? 10_000 : 2_000
  const rows: StoreBenchRow[] = []
  rows.push(...(await sqliteRows(samples)))
  if (ctx.pgUrl) rows.push(...(await postgresRows(ctx.pgUrl, samples)))
  else rows.push({ scenario: 'store postgres', unit: '', value: Number.NaN, note: 'skipped: no PostgreSQL (--pg URL or GATEWAY_PG_URL)' })
  return rows
}

async function sqliteRows(samples: number): Promise<StoreBenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'gw-bench-store-'))
  try {
    const store = await openSqliteStore(join(dir, 'gateway.db'))
    // The gateway holds its file exclusively: the baseline gets its own, with the same schema
    // (migrated by a store opened and closed on it) and the same pragmas.
    await (await openSqliteStore(join(dir, 'raw.db'))).close()
    const raw = new Sqlite(join(dir, 'raw.db'))
    for (const pragma of SQLITE_PRAGMAS) raw.pragma(pragma)
    const insert = raw.prepare(
      'insert into llm_usage (user_id, model, input_tokens, output_tokens, cost_usd, purpose, thread_id, created_at) values (?, ?, ?, ?, ?, ?, ?, ?)',
    )
    const select = raw.prepare('select user_id, model, input_tokens, output_tokens, cost_usd from llm_usage where user_id = ? and created_at >= ?')
    const rawWrite = async (i: number) => void insert.run(`raw-${i % 50}`, 'model', i, i, '0.000100', 'chat', null, new Date().toISOString())
    const rawRead = async () => void select.all('reader', '2000-01-01T00:00:00.000Z')
    // The same rows the repository side gets, so both read the same amount.
    raw.transaction(() => {
      const at = new Date().toISOString()
      for (let i = 0; i < BACKGROUND_ROWS; i++) insert.run(`user-${i % 100}`, 'model', i, i, '0.000100', 'chat', null, at)
      for (let i = 0; i < READ_USER_ROWS; i++) insert.run('reader', 'model', i, i, '0.000100', 'chat', null, at)
    })()
    const out = await repositoryRows('sqlite', store, samples, rawWrite, rawRead)

    // Durability: FULL also fsyncs the WAL at every commit; NORMAL only at checkpoints.
    const full = new Sqlite(join(dir, 'durability.db'))
    full.pragma('journal_mode = WAL')
    full.exec('create table t (id integer primary key, body text)')
    const put = full.prepare('insert into t (body) values (?)')
    const timeWith = (mode: 'NORMAL' | 'FULL') => {
      full.pragma(`synchronous = ${mode}`)
      return p50(Math.min(samples, 1_000), async () => void put.run('x'.repeat(200)))
    }
    await timeWith('NORMAL')
    const normal = await timeWith('NORMAL')
    const fullMs = await timeWith('FULL')
    full.close()
    out.push({
      scenario: 'sqlite commit, synchronous=FULL vs NORMAL',
      unit: 'ms',
      baseline: normal,
      value: fullMs,
      note: 'INFO: what FULL would cost per write; NORMAL keeps every acknowledged write through kill -9 (test/e2e/crash-durability)',
    })
    raw.close()
    await store.close()
    return out
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

async function postgresRows(url: string, samples: number): Promise<StoreBenchRow[]> {
  const schema = `bench_${crypto.randomUUID().replace(/-/g, '').slice(0, 12)}`
  const admin = new pg.Client({ connectionString: url })
  await admin.connect()
  await admin.query(`create schema ${schema}`)
  try {
    const store = await openPostgresStore(url, { searchPath: schema })
    const raw = new pg.Pool({ connectionString: url, max: 2, options: `-c search_path=${schema}` })
    const rawWrite = async (i: number) =>
      void (await raw.query(
        'insert into llm_usage (user_id, model, input_tokens, output_tokens, cost_usd, purpose, thread_id, created_at) values ($1, $2, $3, $4, $5, $6, $7, $8)',
        [`raw-${i % 50}`, 'model', i, i, '0.000100', 'chat', null, new Date().toISOString()],
      ))
    const rawRead = async () =>
      void (await raw.query('select user_id, model, input_tokens, output_tokens, cost_usd from llm_usage where user_id = $1 and created_at >= $2', [
        'reader',
        '2000-01-01T00:00:00.000Z',
      ]))
    const out = await repositoryRows('postgres', store, samples, rawWrite, rawRead)

    // The hop between instances: published on A, heard by B's hub.
    const other = await openPostgresStore(url, { searchPath: schema })
    const a = await openStoreEventBus(store)
    const b = await openStoreEventBus(other)
    let heard: (() => void) | undefined
    b.onEvent(() => heard?.())
    const hop = await p50(Math.min(samples, 1_000), async (i) => {
      const arrived = new Promise<void>((resolve) => (heard = resolve))
      await a.publish('alice', appEvent('stream_chunk', { content: `token ${i}` }))
      await arrived
    })
    out.push({
      scenario: 'postgres event, instance A -> B',
      unit: 'ms',
      value: hop,
      goal: '< 50 ms',
      note: 'publish on A until B delivers it (R9 asks for under 1 s)',
    })
    await a.close()
    await b.close()
    await other.close()
    await raw.end()
    await store.close()
    return out
  } finally {
    await admin.query(`drop schema if exists ${schema} cascade`)
    await admin.end()
  }
}

/** Repository write and read through Kysely against the raw driver, and an event publish. */
async function repositoryRows(
  dialect: 'sqlite' | 'postgres',
  store: Store,
  samples: number,
  rawWrite: (i: number) => Promise<void>,
  rawRead: () => Promise<void>,
): Promise<StoreBenchRow[]> {
  const usage = new UsageService(store.db, clock)
  const record = (userId: string, i: number) =>
    usage.record({ userId, model: 'model', inputTokens: i, outputTokens: i, costUsd: 0.0001, purpose: 'chat' })
  await store.db.transaction().execute(async (trx) => {
    const batch = new UsageService(trx, clock)
    for (let i = 0; i < BACKGROUND_ROWS; i++) {
      await batch.record({ userId: `user-${i % 100}`, model: 'model', inputTokens: i, outputTokens: i, costUsd: 0.0001, purpose: 'chat' })
    }
  })
  for (let i = 0; i < READ_USER_ROWS; i++) await record('reader', i)

  // Interleave the repository and the raw driver so drift (other load, checkpoints) hits both.
  const write = await paired(samples, (i) => record(`user-${i % 50}`, i), rawWrite)
  const read = await paired(samples, () => usage.totals({ userId: 'reader', since: '2000-01-01T00:00:00.000Z' }).then(() => undefined), rawRead)

  const bus: EventBus = await openStoreEventBus(store)
  const publish = await p50(samples, (i) => bus.publish(`user-${i % 10}`, appEvent('stream_chunk', { content: `token ${i}` })).then(() => undefined))
  // Many streams at once (e.g. 16 chats emitting tokens): events per second through the bus.
  const streams = 16
  const perStream = Math.max(20, Math.floor(samples / 4))
  const started = performance.now()
  await Promise.all(
    Array.from({ length: streams }, async (_, s) => {
      for (let i = 0; i < perStream; i++) await bus.publish(`user-${s}`, appEvent('stream_chunk', { content: `token ${i}` }))
    }),
  )
  const perSecond = Math.round((streams * perStream) / ((performance.now() - started) / 1000))
  await bus.close()

  // SQLite answers in tens of microseconds, where the query builder's own cost shows as a ratio
  // that means little: absolute goals. PostgreSQL writes wait for a WAL flush (the disk's fsync
  // time, which varies by machine and load): goals relative to the raw driver.
  const sqlite = dialect === 'sqlite'
  return [
    {
      scenario: `${dialect} repository write (usage.record)`,
      unit: 'ms',
      baseline: write.raw,
      value: write.repo,
      goal: sqlite ? '< 1 ms' : '<= 1.5x raw',
      note: `p50 of ${samples}; baseline: the same INSERT on the raw driver`,
    },
    {
      scenario: `${dialect} repository read (usage.totals)`,
      unit: 'ms',
      baseline: read.raw,
      value: read.repo,
      goal: sqlite ? '< 1 ms' : '<= 1.5x raw and < 2 ms',
      note: `p50 of ${samples}; ${READ_USER_ROWS} of ${BACKGROUND_ROWS + READ_USER_ROWS} rows by index; baseline: raw driver`,
    },
    {
      scenario: `${dialect} event publish (${dialect === 'sqlite' ? 'StoreEventBus' : 'PostgresEventBus'})`,
      unit: 'ms',
      ...(sqlite ? {} : { baseline: write.raw }),
      value: publish,
      goal: sqlite ? '< 1 ms' : '<= 2x raw',
      note: sqlite ? 'insert + local delivery' : 'lock + insert + NOTIFY + own delivery through LISTEN; baseline: one raw INSERT',
    },
    {
      scenario: `${dialect} events/s, ${streams} concurrent streams`,
      unit: 'events/s',
      value: perSecond,
      goal: '>= 1000 events/s',
      note: `${streams} x ${perStream} events, each stream awaiting its publishes one by one`,
    },
  ]
}

async function paired(samples: number, repo: (i: number) => Promise<unknown>, raw: (i: number) => Promise<void>) {
  const a: number[] = []
  const b: number[] = []
  for (let i = 0; i < Math.min(100, samples); i++) {
    await repo(-1 - i)
    await raw(-1 - i)
  }
  for (let i = 0; i < samples; i++) {
    let t = performance.now()
    await repo(i)
    a.push(performance.now() - t)
    t = performance.now()
    await raw(i)
    b.push(performance.now() - t)
  }
  return { repo: median(a), raw: median(b) }
}

async function p50(samples: number, op: (i: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < Math.min(100, samples); i++) await op(-1 - i)
  const times: number[] = []
  for (let i = 0; i < samples; i++) {
    const t = performance.now()
    await op(i)
    times.push(performance.now() - t)
  }
  return median(times)
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((x, y) => x - y)
  const mid = sorted.length >> 1
  const value = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
  return Math.round(value * 1000) / 1000
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, full: { type: 'boolean', default: false }, pg: { type: 'string' } } })
  const pgUrl = values.pg ?? process.env.GATEWAY_PG_URL
  const rows = await run({ quick: values.quick, full: values.full, ...(pgUrl ? { pgUrl } : {}) })
  for (const r of rows) {
    const base = r.baseline === undefined ? '' : ` (baseline ${r.baseline} ${r.unit}, ${(r.value / r.baseline).toFixed(2)}x)`
    console.log(`${r.scenario.padEnd(48)} ${String(r.value).padStart(8)} ${r.unit}${base}${r.goal ? `  goal ${r.goal}` : ''}${r.note ? `  - ${r.note}` : ''}`)
  }
  process.exit(0)
}
