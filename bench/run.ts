/**
 * `npm run bench`: runs the scenarios in `bench/scenarios/` (each gateway-vs-baseline in separate
 * pinned processes, A/B pairs after a warm-up), prints one row per measurement with its verdict,
 * and writes the JSON to `bench/results/`.
 *
 *   npm run bench                     default profile, about 3 minutes
 *   npm run bench -- --quick          smoke run: checks the harness works (CI)
 *   npm run bench -- --full           adds 10,000 connections and long bursts
 *   npm run bench -- --only sse,ws    some scenarios (http|sse|ws|proxy|store|search|runtimes|startup)
 *   npm run bench -- --strict         exit 1 when a row FAILs (the default exits 0: too noisy to gate)
 *   npm run bench -- --pg URL         PostgreSQL for the scenarios that use one (or GATEWAY_PG_URL)
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { basename, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { buildGateway } from './lib/build'
import { type Judged, table } from './lib/format'
import { killAllChildren, pinningAvailable } from './lib/processes'
import type { BenchRow, Scenario, ScenarioContext } from './lib/types'
import { verdictOf } from './lib/verdict'

const HERE = fileURLToPath(new URL('.', import.meta.url))
/** Run order; scenarios not listed here run after these, alphabetically. */
const ORDER = ['http', 'sse', 'ws', 'proxy', 'store', 'search', 'runtimes', 'startup']

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    full: { type: 'boolean', default: false },
    only: { type: 'string' },
    strict: { type: 'boolean', default: false },
    pg: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
})

const available = readdirSync(join(HERE, 'scenarios'))
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.startsWith('_'))
  .map((f) => basename(f, '.ts'))
  .sort((a, b) => (ORDER.indexOf(a) + 1 || 99) - (ORDER.indexOf(b) + 1 || 99) || a.localeCompare(b))

if (flags.help) {
  console.log(`usage: npm run bench -- [--quick | --full] [--only ${available.join('|')}[,...]] [--strict] [--pg URL]`)
  process.exit(0)
}

const wanted = flags.only ? flags.only.split(',').map((s) => s.trim()).filter(Boolean) : available
const unknown = wanted.filter((w) => !available.includes(w))
if (unknown.length) {
  console.error(`unknown scenario ${unknown.join(', ')} (available: ${available.join(', ')})`)
  process.exit(2)
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    killAllChildren()
    process.exit(130)
  })
}
process.on('exit', killAllChildren)

const ctx: ScenarioContext = { quick: flags.quick, full: flags.full }
const pgUrl = flags.pg ?? process.env.GATEWAY_PG_URL
if (pgUrl) ctx.pgUrl = pgUrl
const profile = flags.quick ? 'quick' : flags.full ? 'full' : 'default'
const pinned = pinningAvailable()
const env = {
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  pinned,
  profile,
  date: new Date().toISOString(),
  /** 1-minute load average before and after: above the core count, other work shared the CPUs. */
  loadBefore: +loadavg()[0]!.toFixed(2),
  loadAfter: Number.NaN,
}
console.log(`gateway bench: ${profile} profile, Node ${env.node}, ${env.cores} x ${env.cpu}`)
if (!pinned) console.warn('warning: taskset is unavailable, so servers and load generators share CPUs; expect more noise')
else console.log('servers pinned to CPU 1, load generators to CPU 0 (taskset)')
if (env.loadBefore > env.cores) {
  console.warn(`warning: load average ${env.loadBefore} on ${env.cores} cores: other work shares the CPUs, expect NOISY rows`)
}

// Children inherit it: the gateway runs as built JavaScript (see lib/build.ts).
process.env.BENCH_GATEWAY_BUNDLE = pathToFileURL(await buildGateway()).href

const all: Judged[] = []
const started = Date.now()
for (const name of wanted) {
  const t0 = Date.now()
  process.stdout.write(`\n== ${name}\n`)
  let rows: BenchRow[]
  try {
    const mod = (await import(pathToFileURL(join(HERE, 'scenarios', `${name}.ts`)).href)) as { run?: Scenario }
    if (typeof mod.run !== 'function') throw new Error(`bench/scenarios/${name}.ts exports no run()`)
    rows = await mod.run(ctx)
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    rows = [{ scenario: name, unit: '', value: Number.NaN, note: `scenario failed: ${message.split('\n')[0]}` }]
    console.error(error)
  } finally {
    killAllChildren()
  }
  const judged = rows.map((r) => ({ ...r, verdict: verdictOf(r) }))
  all.push(...judged)
  console.log(table(judged))
  console.log(`(${((Date.now() - t0) / 1000).toFixed(0)} s)`)
}

const seconds = Math.round((Date.now() - started) / 1000)
env.loadAfter = +loadavg()[0]!.toFixed(2)
console.log(`\n== summary (${seconds} s, load average ${env.loadBefore} -> ${env.loadAfter}; ratio = median of per-pair gateway/baseline ratios)\n`)
console.log(table(all))

const resultsDir = join(HERE, 'results')
mkdirSync(resultsDir, { recursive: true })
const stamp = env.date.replace(/[:.]/g, '-')
const json = JSON.stringify({ env, seconds, rows: all }, null, 2)
writeFileSync(join(resultsDir, `${stamp}-${profile}.json`), json)
writeFileSync(join(resultsDir, `latest-${profile}.json`), json)
console.log(`\nresults: bench/results/${stamp}-${profile}.json`)

const errors = all.filter((r) => r.verdict === 'ERROR').length
const failures = all.filter((r) => r.verdict === 'FAIL').length
process.exit(errors > 0 || (flags.strict && failures > 0) ? 1 : 0)
