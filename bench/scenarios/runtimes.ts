/**
 * Runtimes side by side: the same built gateway (`dist/cli/cli.js`, the `gateway` bin) on Node,
 * Bun and Deno. Cold start is the time from spawn to the first 200 from `/api/health` (a fresh
 * data dir, so the SQLite migrations are included); idle memory is the server's RSS once it has
 * answered a few requests and sat still for a second.
 *
 *   npx tsx bench/scenarios/runtimes.ts [--quick|--full]
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

interface Row {
  scenario: string
  unit: string
  baseline?: number
  value: number
  goal?: string
  note?: string
}

type Runtime = 'node' | 'bun' | 'deno'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const CLI = join(ROOT, 'dist/cli/cli.js')
const TOKEN = 'bench-runtimes-token-0123456789ab'
const bin = (name: string) => join(ROOT, 'node_modules/.bin', name)

const COMMANDS: Record<Runtime, string[]> = {
  node: [process.execPath, CLI],
  bun: [bin('bun'), CLI],
  deno: [bin('deno'), 'run', '-A', CLI],
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

/** Resident memory of a process in MB, from /proc (Linux). */
function rssMb(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]
  return Number(kb) / 1024
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
  await exited
  clearTimeout(timer)
}

/** One start of one runtime: ms to the first 200, and idle RSS. */
async function once(runtime: Runtime): Promise<{ coldStartMs: number; idleRssMb: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), `gw-bench-${runtime}-`))
  const port = await freePort()
  const [command, ...args] = COMMANDS[runtime]
  const started = performance.now()
  const child = spawn(command!, [...args, '--port', String(port), '--data-dir', dataDir], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, GATEWAY_AUTH_TOKEN: TOKEN, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr!.on('data', (d) => (stderr += d))
  try {
    const url = `http://127.0.0.1:${port}`
    let coldStartMs = 0
    while (!coldStartMs) {
      if (child.exitCode !== null) throw new Error(`${runtime} exited ${child.exitCode}: ${stderr}`)
      if (performance.now() - started > 60_000) throw new Error(`${runtime} gave no 200 in 60 s: ${stderr}`)
      const ok = await fetch(`${url}/api/health`).then((r) => r.status === 200, () => false)
      if (ok) coldStartMs = performance.now() - started
      else await sleep(5)
    }
    const auth = { authorization: `Bearer ${TOKEN}` }
    for (let i = 0; i < 20; i++) {
      await Promise.all([fetch(`${url}/api/health`), fetch(`${url}/api/auth/whoami`, { headers: auth }), fetch(`${url}/`)].map((p) => p.then((r) => r.arrayBuffer())))
    }
    await sleep(1_000)
    return { coldStartMs, idleRssMb: rssMb(child.pid!) }
  } finally {
    await stop(child)
    rmSync(dataDir, { recursive: true, force: true })
  }
}

function ensureBuild(): void {
  if (!existsSync(CLI)) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' })
}

export async function run(ctx: { quick: boolean; full: boolean; pgUrl?: string }): Promise<Row[]> {
  ensureBuild()
  const runtimes: Runtime[] = ['node', 'bun', 'deno']
  const rounds = ctx.quick ? 1 : ctx.full ? 9 : 5
  // One uncounted round first: it fills the OS file cache and Deno's code cache.
  for (const runtime of runtimes) await once(runtime)
  const samples: Record<Runtime, Array<{ coldStartMs: number; idleRssMb: number }>> = { node: [], bun: [], deno: [] }
  for (let round = 0; round < rounds; round++) {
    // Rotate the order each round, so drift in machine load favours no runtime.
    for (let i = 0; i < runtimes.length; i++) {
      const runtime = runtimes[(round + i) % runtimes.length]!
      samples[runtime].push(await once(runtime))
    }
  }
  const note = (runtime: Runtime, key: 'coldStartMs' | 'idleRssMb') =>
    `median of ${rounds}; ${samples[runtime].map((s) => s[key].toFixed(key === 'coldStartMs' ? 0 : 1)).join(', ')}`
  const cold = (r: Runtime) => median(samples[r].map((s) => s.coldStartMs))
  const rss = (r: Runtime) => median(samples[r].map((s) => s.idleRssMb))
  const rows: Row[] = []
  for (const runtime of runtimes) {
    const versus = runtime === 'node' ? {} : { baseline: Math.round(cold('node')) }
    rows.push({ scenario: `runtimes: cold start to first 200 /api/health, ${runtime}`, unit: 'ms', ...versus, value: Math.round(cold(runtime)), goal: '< 2000 ms', note: note(runtime, 'coldStartMs') })
  }
  for (const runtime of runtimes) {
    const versus = runtime === 'node' ? {} : { baseline: Number(rss('node').toFixed(1)) }
    rows.push({ scenario: `runtimes: idle memory (RSS), ${runtime}`, unit: 'MB', ...versus, value: Number(rss(runtime).toFixed(1)), goal: '<= 200 MB', note: note(runtime, 'idleRssMb') })
  }
  return rows
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const argv = process.argv.slice(2)
  const rows = await run({ quick: argv.includes('--quick'), full: argv.includes('--full') })
  for (const row of rows) {
    const vs = row.baseline === undefined ? '' : ` (node ${row.baseline} ${row.unit})`
    console.log(`${row.scenario}: ${row.value} ${row.unit}${vs}  [${row.note}]`)
  }
}
