/**
 * HTTP load generator child: `wrk` when it is on PATH (C, far cheaper per request), else
 * autocannon. Reports requests/s, latency and the generator's own CPU, so a run where the
 * generator and not the server set the pace can be flagged.
 */
import { execFile, execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import autocannon from 'autocannon'

export interface LoadArgs {
  url: string
  connections: number
  durationS: number
  headers: Record<string, string>
}

export interface LoadResult {
  tool: 'wrk' | 'autocannon'
  rps: number
  p50Ms: number
  p99Ms: number
  non2xx: number
  errors: number
  clientCpuUs: number
  spanUs: number
}

const hasWrk = (() => {
  if (process.env.BENCH_NO_WRK) return false
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' })
    return true
  } catch (error) {
    // `wrk --version` exits 1 after printing its version; only a missing binary is ENOENT.
    return (error as NodeJS.ErrnoException).code !== 'ENOENT'
  }
})()

/** CPU of this process's reaped children (the wrk runs), from /proc, in microseconds. */
function childrenCpuUs(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ')
  // cutime, cstime are fields 16 and 17 (1-based) of stat; index 13 and 14 after the comm split.
  return ((Number(fields[13]) + Number(fields[14])) * 1e6) / 100
}

const toMs = (s: string): number => {
  const m = /^([\d.]+)(us|ms|s)$/.exec(s)
  if (!m) return Number.NaN
  const v = Number(m[1])
  return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v
}

async function runWrk(args: LoadArgs): Promise<LoadResult> {
  const argv = ['-t1', `-c${args.connections}`, `-d${args.durationS}s`, '--latency']
  for (const [k, v] of Object.entries(args.headers)) argv.push('-H', `${k}: ${v}`)
  argv.push(args.url)
  const cpu0 = childrenCpuUs()
  const t0 = process.hrtime.bigint()
  const out = await new Promise<string>((resolve, reject) =>
    execFile('wrk', argv, (error, stdout) => (error ? reject(error) : resolve(stdout))),
  )
  const spanUs = Number((process.hrtime.bigint() - t0) / 1000n)
  const line = (re: RegExp) => re.exec(out)?.[1]
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out)
  return {
    tool: 'wrk',
    rps: Number(line(/Requests\/sec:\s+([\d.]+)/)),
    p50Ms: toMs(line(/^\s+50%\s+(\S+)/m) ?? ''),
    p99Ms: toMs(line(/^\s+99%\s+(\S+)/m) ?? ''),
    non2xx: Number(line(/Non-2xx or 3xx responses: (\d+)/) ?? 0),
    errors: socketErrors ? socketErrors.slice(1).reduce((a, b) => a + Number(b), 0) : 0,
    clientCpuUs: childrenCpuUs() - cpu0,
    spanUs,
  }
}

async function runAutocannon(args: LoadArgs): Promise<LoadResult> {
  const cpu0 = process.cpuUsage()
  const t0 = process.hrtime.bigint()
  const r = await autocannon({ url: args.url, connections: args.connections, duration: args.durationS, headers: args.headers, pipelining: 1 })
  const cpu = process.cpuUsage(cpu0)
  return {
    tool: 'autocannon',
    rps: r.requests.total / r.duration,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
    clientCpuUs: cpu.user + cpu.system,
    spanUs: Number((process.hrtime.bigint() - t0) / 1000n),
  }
}

export async function start() {
  return {
    info: { tool: hasWrk ? 'wrk' : 'autocannon' },
    commands: {
      run: (args: LoadArgs): Promise<LoadResult> => (hasWrk ? runWrk(args) : runAutocannon(args)),
    },
  }
}
