/**
 * Memory search latency over 10,000 chunks, on SQLite and (with a PostgreSQL URL) PostgreSQL:
 * p50/p99 of `MemoryService.search` in full-text mode and in hybrid mode (full text + cosine
 * similarity over 384-dimension vectors, fused by RRF), plus the time to index the corpus and the
 * first hybrid search (which loads the user's vectors).
 *
 *   npx tsx bench/scenarios/search.ts [--quick] [--full] [--pg postgres://...]
 *
 * Self-contained: builds its own stores, a synthetic corpus with a Zipf word distribution, and an
 * in-process embedding provider (hashed bag of words), so it measures the gateway's search, not a
 * model's latency.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import pg from 'pg'
import { openPostgresStore, openSqliteStore } from '../../adapters/node/open-store'
import { systemClock } from '../../src/lib/time'
import type { EmbeddingProvider } from '../../src/services/memory/embedding-provider'
import { MemoryService } from '../../src/services/memory/memory-service'
import type { Store } from '../../src/store/database'

interface Context {
  quick: boolean
  full: boolean
  pgUrl?: string
}

interface Row {
  scenario: string
  unit: string
  baseline?: number
  value: number
  goal?: string
  note?: string
  /** Not measured (no PostgreSQL given); `note` says why. */
  skipped?: boolean
}

const CHUNKS = 10_000
const SECTIONS_PER_DOC = 10
const DIMS = 384
const USER = 'bench-user'

/** Deterministic PRNG (mulberry32), so every run searches the same corpus. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'ta', 'shi', 'po', 'ven', 'dar', 'el', 'qu', 'or', 'in', 'zel', 'bra']

/** A vocabulary of pronounceable made-up words and a Zipf sampler over it. */
function corpusWords(random: () => number, size = 6_000) {
  const words = new Set<string>()
  while (words.size < size) {
    const n = 2 + Math.floor(random() * 3)
    let w = ''
    for (let i = 0; i < n; i++) w += SYLLABLES[Math.floor(random() * SYLLABLES.length)]
    words.add(w)
  }
  const list = [...words]
  const weights = list.map((_, i) => 1 / (i + 1))
  const total = weights.reduce((a, b) => a + b, 0)
  const cumulative: number[] = []
  let sum = 0
  for (const w of weights) cumulative.push((sum += w / total))
  const sample = () => {
    const x = random()
    let lo = 0
    let hi = cumulative.length - 1
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (cumulative[mid]! < x) lo = mid + 1
      else hi = mid
    }
    return list[lo]!
  }
  return { list, sample }
}

/** The bench's embedding model: a normalised hashed bag of words, computed in process. */
function localEmbeddings(dims: number): EmbeddingProvider {
  const embed = (text: string) => {
    const v = new Array<number>(dims).fill(0)
    for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
      let h = 2166136261
      for (const ch of word) h = Math.imul(h ^ ch.codePointAt(0)!, 16777619)
      v[Math.abs(h) % dims]! += 1
    }
    return v
  }
  return { model: `bench-hash-${dims}`, embed: async (texts) => ({ vectors: texts.map(embed), tokens: 0 }) }
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
const round = (ms: number) => Math.round(ms * 100) / 100

async function pgStore(url: string): Promise<Store> {
  const schema = `bench_${crypto.randomUUID().replace(/-/g, '').slice(0, 12)}`
  const admin = new pg.Client({ connectionString: url })
  await admin.connect()
  await admin.query(`CREATE SCHEMA ${schema}`)
  await admin.end()
  return openPostgresStore(url, {
    searchPath: schema,
    onClose: async () => {
      const client = new pg.Client({ connectionString: url })
      await client.connect()
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
      await client.end()
    },
  })
}

async function measureDialect(dialect: 'sqlite' | 'postgres', ctx: Context): Promise<Row[]> {
  const dir = dialect === 'sqlite' ? mkdtempSync(join(tmpdir(), 'gw-bench-search-')) : undefined
  const store = dir ? await openSqliteStore(join(dir, 'gateway.db')) : await pgStore(ctx.pgUrl!)
  const random = prng(42)
  const words = corpusWords(random)
  const memory = new MemoryService({ db: store.db, dialect: store.dialect, clock: systemClock, embeddings: localEmbeddings(DIMS) })
  const rows: Row[] = []
  try {
    // ~500-800 characters per section: one chunk each.
    const t0 = performance.now()
    for (let d = 0; d < CHUNKS / SECTIONS_PER_DOC; d++) {
      const sections: string[] = []
      for (let s = 0; s < SECTIONS_PER_DOC; s++) {
        const body = Array.from({ length: 90 + Math.floor(random() * 40) }, words.sample).join(' ')
        sections.push(`## ${words.sample()} ${words.sample()}\n\n${body}.`)
      }
      await memory.write(USER, { path: `bench/${d % 20}/doc-${d}.md`, content: sections.join('\n\n') })
    }
    const written = performance.now() - t0
    await memory.embeddingsIdle()
    const indexed = performance.now() - t0
    const status = await memory.status(USER)
    if (status.chunks < CHUNKS || status.embeddings?.pending !== 0) throw new Error(`corpus not ready: ${JSON.stringify(status)}`)
    const corpus = `${status.chunks} chunks, ${DIMS}-dim vectors`
    rows.push({ scenario: `search ${dialect}: write ${CHUNKS / SECTIONS_PER_DOC} documents`, unit: 'ms/doc', value: round(written / (CHUNKS / SECTIONS_PER_DOC)), note: `then embedded in ${(indexed / 1000).toFixed(1)} s total` })

    // Queries of content words: the 100 most frequent words play the part of the stopwords a real
    // query loses (they occur in every chunk); the rest are Zipf-weighted or uniformly rare.
    const contentWord = () => {
      for (;;) {
        const w = random() < 0.5 ? words.sample() : words.list[Math.floor(random() * words.list.length)]!
        if (words.list.indexOf(w) >= 100) return w
      }
    }
    const count = ctx.quick ? 100 : ctx.full ? 2_000 : 500
    const queries = Array.from({ length: count }, () => Array.from({ length: 2 + Math.floor(random() * 3) }, contentWord).join(' '))
    // The worst case: words that occur in nearly every chunk (no stopword list knows them).
    const broad = Array.from({ length: Math.max(20, count / 10) }, () => Array.from({ length: 3 }, () => words.list[Math.floor(random() * 20)]!).join(' '))

    const cold = performance.now()
    await memory.search(USER, { query: queries[0]!, limit: 10 })
    rows.push({ scenario: `search ${dialect}: first hybrid search (loads vectors)`, unit: 'ms', value: round(performance.now() - cold), note: corpus })

    for (const mode of ['full-text', 'hybrid'] as const) {
      const service = mode === 'hybrid' ? memory : new MemoryService({ db: store.db, dialect: store.dialect, clock: systemClock })
      for (const q of queries.slice(0, 20)) await service.search(USER, { query: q, limit: 10 })
      const times: number[] = []
      let hits = 0
      const cpu = process.cpuUsage()
      for (const q of queries) {
        const t = performance.now()
        const result = await service.search(USER, { query: q, limit: 10 })
        times.push(performance.now() - t)
        hits += result.results.length
        if (mode === 'hybrid' && result.mode !== 'hybrid') throw new Error('hybrid search fell back to full text')
      }
      const used = process.cpuUsage(cpu)
      const cpuPerSearch = (used.user + used.system) / 1000 / queries.length
      times.sort((a, b) => a - b)
      // Node's CPU per search is steadier than wall time on a shared machine (it leaves out the
      // PostgreSQL server's share).
      const note = `${corpus}; ${queries.length} queries, ${(hits / queries.length).toFixed(1)} results each; node CPU ${cpuPerSearch.toFixed(1)} ms/search`
      rows.push({ scenario: `search ${dialect}: ${mode} p50`, unit: 'ms', value: round(percentile(times, 50)), goal: '< 25 ms', note })
      rows.push({ scenario: `search ${dialect}: ${mode} p99`, unit: 'ms', value: round(percentile(times, 99)), goal: '< 100 ms', note })
      const broadTimes: number[] = []
      for (const q of broad) {
        const t = performance.now()
        await service.search(USER, { query: q, limit: 10 })
        broadTimes.push(performance.now() - t)
      }
      broadTimes.sort((a, b) => a - b)
      rows.push({ scenario: `search ${dialect}: ${mode}, words in every chunk, p50`, unit: 'ms', value: round(percentile(broadTimes, 50)), note: `${broad.length} queries of the 20 most frequent words` })
    }
  } finally {
    await memory.close()
    await store.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
  }
  return rows
}

export async function run(ctx: Context): Promise<Row[]> {
  const rows = await measureDialect('sqlite', ctx)
  if (ctx.pgUrl) rows.push(...(await measureDialect('postgres', ctx)))
  else rows.push({ scenario: 'search postgres', unit: 'ms', value: Number.NaN, skipped: true, note: 'no PostgreSQL: pass --pg URL or set GATEWAY_PG_URL' })
  return rows
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2)
  const pgIndex = args.indexOf('--pg')
  const pgUrl = pgIndex >= 0 ? args[pgIndex + 1] : process.env.GATEWAY_PG_URL
  const rows = await run({ quick: args.includes('--quick'), full: args.includes('--full'), ...(pgUrl ? { pgUrl } : {}) })
  console.table(rows)
}
