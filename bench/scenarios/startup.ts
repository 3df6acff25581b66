/**
 * Start-up and footprint: what a user waits for and what an idle gateway holds.
 * - Cold start: spawn of the built `gateway` bin (`dist/cli/cli.js`, SQLite) to its first 200 on
 *   `/api/health`, polled every 5 ms, against `servers/bare-start.mjs` (a bare node:http server
 *   started the same way, on the same runtime), in alternating A/B pairs. Once with a data dir an
 *   earlier start migrated (every restart), once with a new one (the very first start: the
 *   migrations run). Node, Bun and Deno.
 * - Idle RSS once started (1 s after the first 200, nothing else asked); settled (after 20 s
 *   idle, when V8 has given back what start-up grew; not in quick runs); and after the web app's
 *   page and script were served once (they are loaded on first request).
 * - The floor: `servers/floor-start.ts`, the libraries the gateway loads before it listens (Hono,
 *   @hono/node-server, zod, Kysely on better-sqlite3, LogTape) with nothing of ours, bundled the
 *   same way (Node): how much of the ratio the stack itself takes.
 * - First run: `npx gateway` in this checkout with an empty npx cache (npm links the checkout
 *   into its cache first) against the same command once that cache is there. `--full` adds the
 *   whole path from a clean clone: `git clone`, `npm ci`, `npx gateway`.
 *
 *   npx tsx bench/scenarios/startup.ts [--quick|--full]
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { rssMb, start, stop } from '../lib/startup-processes'
import type { BenchRow, ScenarioContext } from '../lib/types'
import { median, pairStats } from '../lib/verdict'

type Runtime = 'node' | 'bun' | 'deno'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const CLI = join(ROOT, 'dist/cli/cli.js')
const BARE = fileURLToPath(new URL('../servers/bare-start.mjs', import.meta.url))
const FLOOR_SOURCE = fileURLToPath(new URL('../servers/floor-start.ts', import.meta.url))
const FLOOR = join(ROOT, 'bench/.build/floor/floor-start.js')
const bin = (name: string) => join(ROOT, 'node_modules/.bin', name)
const RUN: Record<Runtime, (file: string) => string[]> = {
  node: (file) => [process.execPath, file],
  bun: (file) => [bin('bun'), file],
  deno: (file) => [bin('deno'), 'run', '-A', file],
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

interface Sample {
  ms: number
  /** RSS 1 s after the first 200 (measured rounds only). */
  idleMb?: number
  /** RSS after the page and its script were served once (gateway, measured rounds only). */
  pageMb?: number
}

type Target = 'bare' | 'floor' | 'gateway'
const FILES: Record<Target, string> = { bare: BARE, floor: FLOOR, gateway: CLI }

async function sample(runtime: Runtime, target: Target, dataDir: string | undefined, memory: boolean): Promise<Sample> {
  const started = await start(RUN[runtime](FILES[target]), { dataDir })
  try {
    const out: Sample = { ms: started.ms }
    if (memory) {
      await sleep(1_000)
      out.idleMb = rssMb(started.child.pid!)
      if (target === 'gateway') {
        for (const path of ['/', '/app.js', '/style.css']) await fetch(`${started.url}${path}`, { headers: { 'accept-encoding': 'gzip' } }).then((r) => r.arrayBuffer())
        await sleep(500)
        out.pageMb = rssMb(started.child.pid!)
      }
    }
    return out
  } finally {
    await stop(started.child)
  }
}

/** RSS of a gateway left idle for `SETTLE_MS` after its first 200 (V8 shrinks its heap when idle). */
const SETTLE_MS = 20_000
async function settledRss(runtime: Runtime): Promise<number> {
  const dataDir = tempDir(`gw-settle-${runtime}-`)
  try {
    const started = await start(RUN[runtime](CLI), { dataDir })
    try {
      await sleep(SETTLE_MS)
      return rssMb(started.child.pid!)
    } finally {
      await stop(started.child)
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true })
  }
}

const tempDir = (prefix: string) => mkdtempSync(join(tmpdir(), prefix))
const list = (xs: number[], digits = 0) => xs.map((x) => x.toFixed(digits)).join(', ')

/** Cold-start pairs for one runtime: bare and gateway alternate which goes first. */
async function coldStart(runtime: Runtime, rounds: number, fresh: boolean, memoryRounds: number, target: 'floor' | 'gateway' = 'gateway'): Promise<{ pairs: Array<{ baseline: number; value: number }>; gateway: Sample[]; bare: Sample[] }> {
  const migrated = tempDir(`gw-start-${runtime}-`)
  try {
    // Unmeasured: fills the OS file cache (and Deno's code cache) and migrates `migrated`.
    await sample(runtime, 'bare', undefined, false)
    await sample(runtime, target, migrated, false)
    const gateway: Sample[] = []
    const bare: Sample[] = []
    for (let round = 0; round < rounds; round++) {
      const memory = round < memoryRounds
      const dataDir = fresh ? tempDir(`gw-start-${runtime}-new-`) : migrated
      try {
        const order = round % 2 ? ([target, 'bare'] as const) : (['bare', target] as const)
        for (const which of order) (which === 'bare' ? bare : gateway).push(await sample(runtime, which, which === 'bare' ? undefined : dataDir, memory))
      } finally {
        if (fresh) rmSync(dataDir, { recursive: true, force: true })
      }
    }
    return { pairs: gateway.map((g, i) => ({ baseline: bare[i]!.ms, value: g.ms })), gateway, bare }
  } finally {
    rmSync(migrated, { recursive: true, force: true })
  }
}

/** `npx gateway` with an empty npx cache (npm links this checkout into it), then again with it. */
async function firstRun(cwd: string, rounds: number): Promise<{ first: number[]; later: number[] }> {
  const first: number[] = []
  const later: number[] = []
  for (let round = 0; round < rounds; round++) {
    const cache = tempDir('gw-npm-cache-')
    const dataDir = tempDir('gw-first-run-')
    try {
      for (const into of [first, later]) {
        const started = await start(['npx', 'gateway'], { cwd, dataDir, env: { npm_config_cache: cache } })
        into.push(started.ms)
        await stop(started.child)
      }
    } finally {
      rmSync(cache, { recursive: true, force: true })
      rmSync(dataDir, { recursive: true, force: true })
    }
  }
  return { first, later }
}

/** `--full`: a clean clone of HEAD, `npm ci` (from the npm cache where it can), first `npx gateway`. */
async function cleanClone(): Promise<BenchRow[]> {
  const clone = tempDir('gw-clone-')
  try {
    execFileSync('git', ['clone', '--quiet', ROOT, clone], { stdio: 'ignore' })
    const t0 = performance.now()
    execFileSync('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: clone, stdio: 'ignore', env: { ...process.env, npm_config_update_notifier: 'false' } })
    const install = (performance.now() - t0) / 1000
    const run = await firstRun(clone, 1)
    return [
      {
        scenario: 'first run: npm ci in a clean clone',
        unit: 's',
        value: Number(install.toFixed(1)),
        note: 'dependencies from the npm cache where present; includes the build (no type declarations) and compiling better-sqlite3 when its prebuilt binary cannot be downloaded',
      },
      { scenario: 'first run: then npx gateway to first 200 (clean clone)', unit: 'ms', baseline: Math.round(run.later[0]!), value: Math.round(run.first[0]!), goal: '< 5000 ms', note: 'baseline: the next npx gateway' },
    ]
  } finally {
    rmSync(clone, { recursive: true, force: true })
  }
}

export async function run(ctx: ScenarioContext): Promise<BenchRow[]> {
  // The bin as it ships, built from the current sources (a few seconds: no type declarations).
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' })
  await build({
    entryPoints: [FLOOR_SOURCE],
    outfile: FLOOR,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: ['better-sqlite3'],
    // As tsup.config.ts builds the CLI: whitespace and syntax minified, zod's English locale only.
    minifyWhitespace: true,
    minifySyntax: true,
    plugins: [
      {
        name: 'zod-english-only',
        setup(b) {
          b.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, (args) => ({ contents: "export { default as en } from './en.js'\n", loader: 'js', resolveDir: dirname(args.path) }))
        },
      },
    ],
    logLevel: 'error',
    banner: { js: "import { createRequire as __floorRequire } from 'node:module'\nconst require = __floorRequire(import.meta.url)" },
  })
  const rounds = ctx.quick ? 1 : ctx.full ? 11 : 5
  const memoryRounds = ctx.quick ? 1 : 3
  const rows: BenchRow[] = []
  for (const runtime of ['node', 'bun', 'deno'] as const) {
    for (const fresh of runtime === 'node' ? [false, true] : [false]) {
      const { pairs, gateway, bare } = await coldStart(runtime, rounds, fresh, memoryRounds)
      const stats = pairStats(pairs)
      const when = fresh ? 'first start (new data dir: migrations)' : 'restart (migrated data dir)'
      rows.push({
        scenario: `startup: cold start to first 200, ${runtime}, ${when}`,
        unit: 'ms',
        ...stats,
        baseline: Math.round(stats.baseline),
        value: Math.round(stats.value),
        goal: '<= 2.5x',
        note: `baseline: bare node:http on ${runtime}, spawned the same way; gateway ${list(gateway.map((s) => s.ms))}; bare ${list(bare.map((s) => s.ms))}`,
        detail: { gateway, bare },
      })
      if (fresh) continue
      const idle = gateway.flatMap((s) => (s.idleMb === undefined ? [] : [s.idleMb]))
      const bareIdle = bare.flatMap((s) => (s.idleMb === undefined ? [] : [s.idleMb]))
      const page = gateway.flatMap((s) => (s.pageMb === undefined ? [] : [s.pageMb]))
      rows.push({
        scenario: `startup: idle RSS after start, ${runtime} + SQLite`,
        unit: 'MB',
        baseline: Number(median(bareIdle).toFixed(1)),
        value: Number(median(idle).toFixed(1)),
        ...(runtime === 'node' ? { goal: '<= 60 MB' } : {}),
        note: `1 s after the first 200; baseline: the bare server's; median of ${list(idle, 1)}`,
      })
      if (!ctx.quick && (runtime === 'node' || ctx.full)) {
        const settled = await settledRss(runtime)
        rows.push({
          scenario: `startup: idle RSS settled (20 s idle), ${runtime} + SQLite`,
          unit: 'MB',
          baseline: Number(median(idle).toFixed(1)),
          value: Number(settled.toFixed(1)),
          ...(runtime === 'node' ? { goal: '<= 60 MB' } : {}),
          note: 'one start left idle 20 s after its first 200; baseline: 1 s after it',
        })
      }
      rows.push({
        scenario: `startup: RSS after the web app was served once, ${runtime}`,
        unit: 'MB',
        baseline: Number(median(idle).toFixed(1)),
        value: Number(median(page).toFixed(1)),
        note: `GET /, /app.js, /style.css (gzip) once; baseline: idle after start; median of ${list(page, 1)}`,
      })
    }
  }
  const floor = await coldStart('node', rounds, false, memoryRounds, 'floor')
  const floorStats = pairStats(floor.pairs)
  rows.push({
    scenario: 'startup: the stack alone (Hono, node-server, zod, Kysely + SQLite, LogTape), node',
    unit: 'ms',
    ...floorStats,
    baseline: Math.round(floorStats.baseline),
    value: Math.round(floorStats.value),
    note: `servers/floor-start.ts, nothing of ours: the share of the ratio the libraries take; idle RSS ${median(floor.gateway.flatMap((s) => (s.idleMb === undefined ? [] : [s.idleMb]))).toFixed(1)} MB`,
  })
  const npx = await firstRun(ROOT, ctx.quick ? 1 : 3)
  rows.push({
    scenario: 'first run: npx gateway in a checkout, empty npx cache, to first 200',
    unit: 'ms',
    baseline: Math.round(median(npx.later)),
    value: Math.round(median(npx.first)),
    goal: '< 5000 ms',
    note: `npm links the checkout into its cache, no build; baseline: later runs; first ${list(npx.first)}, later ${list(npx.later)}`,
  })
  if (ctx.full) rows.push(...(await cleanClone()))
  return rows
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const argv = process.argv.slice(2)
  const rows = await run({ quick: argv.includes('--quick'), full: argv.includes('--full') })
  for (const row of rows) console.log(`${row.scenario}: ${row.value} ${row.unit} (baseline ${row.baseline ?? '-'})  ${row.goal ?? ''}  [${row.note ?? ''}]`)
}
