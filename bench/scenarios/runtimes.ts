/**
 * Runtimes side by side: the same built gateway (`dist/cli/cli.js`, the `gateway` bin) on Node,
 * Bun and Deno. Cold start is the time from spawn to the first 200 from `/api/health` (a fresh
 * data dir, so the SQLite migrations are included); idle memory is the server's RSS once it has
 * answered a few requests and sat still for a second. Outside quick runs, the RSS each idle SSE
 * stream and WebSocket adds (100 of them, the default cap) shows the runtimes' stream sinks.
 *
 *   npx tsx bench/scenarios/runtimes.ts [--quick|--full]
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import WebSocket from 'ws'

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

interface Sample {
  coldStartMs: number
  idleRssMb: number
  /** KB of RSS per idle SSE stream / WebSocket, over `STREAMS` of them (not in quick runs). */
  sseKb?: number
  wsKb?: number
}

/** The default caps: 100 streams in all, 20 per user, so five users hold them. */
const STREAMS = 100
const PER_USER = 20

/**
 * Opens `STREAMS` idle streams of one kind across five users and returns RSS KB per stream. A
 * first, unmeasured round takes the one-time costs (code compiled on first use, pools grown).
 */
async function perStreamKb(pid: number, url: string, tokens: string[], kind: 'sse' | 'ws'): Promise<number> {
  await openStreams(url, tokens, kind)
  return openStreams(url, tokens, kind, pid)
}

async function openStreams(url: string, tokens: string[], kind: 'sse' | 'ws', pid?: number): Promise<number> {
  const before = pid === undefined ? 0 : rssMb(pid)
  const closers: Array<() => void> = []
  try {
    for (const token of tokens) {
      for (let i = 0; i < PER_USER; i++) {
        if (kind === 'sse') {
          const abort = new AbortController()
          const res = await fetch(`${url}/api/chat/events`, { headers: { authorization: `Bearer ${token}` }, signal: abort.signal })
          if (res.status !== 200) throw new Error(`SSE stream refused: ${res.status}`)
          closers.push(() => abort.abort())
        } else {
          const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/api/chat/ws?token=${token}`, { origin: url })
          await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject))
          closers.push(() => ws.terminate())
        }
      }
    }
    await sleep(1_000)
    return pid === undefined ? 0 : ((rssMb(pid) - before) * 1024) / STREAMS
  } finally {
    for (const close of closers) close()
    await sleep(500)
  }
}

/** Four members besides the owner, so the streams fit the per-user cap. */
async function memberTokens(url: string): Promise<string[]> {
  const tokens = [TOKEN]
  for (let i = 0; tokens.length < STREAMS / PER_USER; i++) {
    const res = await fetch(`${url}/api/admin/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ display_name: `bench ${i}` }),
    })
    tokens.push(((await res.json()) as { token: string }).token)
  }
  return tokens
}

/** One start of one runtime: ms to the first 200, idle RSS, and (unless quick) RSS per stream. */
async function once(runtime: Runtime, streams = false): Promise<Sample> {
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
    const sample: Sample = { coldStartMs, idleRssMb: rssMb(child.pid!) }
    if (streams) {
      const tokens = await memberTokens(url)
      sample.sseKb = await perStreamKb(child.pid!, url, tokens, 'sse')
      sample.wsKb = await perStreamKb(child.pid!, url, tokens, 'ws')
    }
    return sample
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
  const samples: Record<Runtime, Sample[]> = { node: [], bun: [], deno: [] }
  for (let round = 0; round < rounds; round++) {
    // Rotate the order each round, so drift in machine load favours no runtime.
    for (let i = 0; i < runtimes.length; i++) {
      const runtime = runtimes[(round + i) % runtimes.length]!
      // Streams are measured in the first rounds only: they do not depend on the start.
      samples[runtime].push(await once(runtime, !ctx.quick && round < 3))
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
  for (const kind of ['sseKb', 'wsKb'] as const) {
    for (const runtime of runtimes) {
      const values = samples[runtime].flatMap((s) => (s[kind] === undefined ? [] : [s[kind]]))
      if (!values.length) continue
      const label = kind === 'sseKb' ? 'SSE stream' : 'WebSocket'
      const sink = runtime === 'node' ? 'direct-to-socket sink' : kind === 'sseKb' ? 'Web Streams sink' : runtime === 'bun' ? 'Bun drain sink' : 'generic sink'
      rows.push({
        scenario: `runtimes: idle memory per ${label}, ${runtime}`,
        unit: 'KB',
        value: Number(median(values).toFixed(1)),
        note: `${STREAMS} idle streams, ${sink}; median of ${values.length}: ${values.map((v) => v.toFixed(1)).join(', ')}`,
      })
    }
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
