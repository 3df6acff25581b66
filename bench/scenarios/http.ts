/**
 * HTTP request/response: the gateway (Hono, its full middleware stack: security headers, host
 * check, CORS, body limit, bearer auth) against a raw node:http server doing the same
 * constant-time bearer check and JSON. Both serve the same load in alternating order.
 */
import type { LoadArgs, LoadResult } from '../clients/http-load'
import { benchFile } from '../lib/paths'
import { type Child, type CpuSample, LOAD_CPU, SERVER_CPU, startChild } from '../lib/processes'
import { BENCH_TOKEN } from '../lib/shared'
import type { BenchRow, ScenarioContext } from '../lib/types'
import { call, newThread, sendChat, unavailable } from '../lib/upstream'
import { median, pairStats } from '../lib/verdict'

interface Measured extends LoadResult {
  serverCpuUs: number
}

/** One load run against `server`, with the server's CPU over the same span. */
export async function measure(server: Child, load: Child, path: string, durationS: number, connections = 50): Promise<Measured> {
  const args: LoadArgs = {
    url: `http://127.0.0.1:${server.info.port}${path}`,
    connections,
    durationS,
    headers: { authorization: `Bearer ${BENCH_TOKEN}` },
  }
  const before = await server.call<CpuSample>('cpu')
  const result = await load.call<LoadResult>('run', args, (durationS + 30) * 1000)
  const after = await server.call<CpuSample>('cpu')
  if (result.non2xx > 0 || result.errors > 0 || !(result.rps > 0)) {
    throw new Error(`${server.info.kind} ${path}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.rps} req/s`)
  }
  return { ...result, serverCpuUs: after.cpuUs - before.cpuUs }
}

const routes = [
  { key: 'health', path: '/api/health', label: 'GET /api/health (public)' },
  { key: 'whoami', path: '/api/auth/whoami', label: 'GET /api/auth/whoami (bearer)' },
] as const

export async function run(ctx: ScenarioContext): Promise<BenchRow[]> {
  return [...(await routeRows(ctx)), ...(await historyRows(ctx))]
}

/** `/api/health` (public) and `/api/auth/whoami` (bearer), and what auth costs. */
async function routeRows(ctx: ScenarioContext): Promise<BenchRow[]> {
  const p = ctx.quick ? { warm: 1, dur: 1, pairs: 1 } : { warm: 2, dur: 3, pairs: 3 }
  const raw = await startChild(benchFile('servers/raw.ts'), { cpu: SERVER_CPU })
  const gateway = await startChild(benchFile('servers/gateway.ts'), { cpu: SERVER_CPU })
  const load = await startChild(benchFile('clients/http-load.ts'), { cpu: LOAD_CPU })
  try {
    for (const server of [raw, gateway]) for (const r of routes) await measure(server, load, r.path, p.warm)
    const results: Record<string, Array<{ raw: Measured; gateway: Measured }>> = { health: [], whoami: [] }
    for (let i = 0; i < p.pairs; i++) {
      for (const r of routes) {
        // Alternate which side goes first, so a drift in machine load does not favour one.
        const first = i % 2 === 0 ? raw : gateway
        const a = await measure(first, load, r.path, p.dur)
        const b = await measure(first === raw ? gateway : raw, load, r.path, p.dur)
        results[r.key]!.push(first === raw ? { raw: a, gateway: b } : { raw: b, gateway: a })
      }
    }

    const rows: BenchRow[] = []
    for (const r of routes) {
      const pairs = results[r.key]!
      rows.push({
        scenario: `http ${r.label}`,
        unit: 'req/s per core',
        ...pairStats(pairs.map((x) => ({ baseline: capacity(x.raw), value: capacity(x.gateway) }))),
        goal: '>= 0.80x',
        note:
          `measured ${fmtRps(median(pairs.map((x) => x.raw.rps)))} vs ${fmtRps(median(pairs.map((x) => x.gateway.rps)))} req/s, ` +
          `p99 ${fmtMs(median(pairs.map((x) => x.raw.p99Ms)))} vs ${fmtMs(median(pairs.map((x) => x.gateway.p99Ms)))} ms; ${pairs[0]!.raw.tool}`,
        detail: pairs.map(detail),
      })
    }
    // What bearer auth costs the gateway: an authenticated route against the public one, same run.
    const authRatios = results.whoami!.map((x, i) => capacity(x.gateway) / capacity(results.health![i]!.gateway))
    const rawAuthRatios = results.whoami!.map((x, i) => capacity(x.raw) / capacity(results.health![i]!.raw))
    rows.push({
      scenario: 'http auth cost (whoami/health per core)',
      unit: 'ratio',
      baseline: median(rawAuthRatios),
      value: median(authRatios),
      goal: '>= 0.75',
      note: `gateway pairs ${authRatios.map((x) => x.toFixed(2)).join(', ')}; baseline = the raw server's same ratio`,
    })
    return rows
  } finally {
    await Promise.all([raw.stop(), gateway.stop(), load.stop()])
  }
}

/**
 * `GET /api/chat/history` of a ~4 KB thread read from the real store (SQLite), against a raw
 * server sending the same bytes after the same bearer check. The thread is made the way a user
 * makes one: chat messages answered by the agent from a fake upstream.
 */
export async function historyRows(ctx: ScenarioContext): Promise<BenchRow[]> {
  const scenario = 'http GET /api/chat/history (~4 KB, SQLite)'
  const p = ctx.quick ? { dur: 1, pairs: 1 } : { dur: 4, pairs: 3 }
  const upstream = await startChild(benchFile('fake-upstream.ts'), { cpu: LOAD_CPU })
  const children: Child[] = [upstream]
  try {
    const gateway = await startChild(benchFile('servers/gateway.ts'), { cpu: SERVER_CPU, args: { store: 'sqlite', llmBaseUrl: upstream.info.baseUrl } })
    children.push(gateway)
    await upstream.call('configure', { chunks: 24, rate: 0 })
    const thread = await newThread(gateway)
    const turns = 8
    for (let i = 0; i < turns; i++) {
      const sent = await sendChat(gateway, thread, `Question ${i}: what is in the benchmark thread?`)
      if (sent.status !== 202) return [{ scenario, unit: 'req/s per core', value: Number.NaN, goal: '>= 0.75x', skipped: true, note: unavailable('POST /api/chat/send', sent) }]
      await new Promise((r) => setTimeout(r, 150))
    }
    const path = `/api/chat/history?thread_id=${thread}`
    let body = ''
    for (let tries = 0; tries < 100; tries++) {
      const res = await call(gateway, path)
      if (res.status !== 200) return [{ scenario, unit: 'req/s per core', value: Number.NaN, goal: '>= 0.75x', skipped: true, note: unavailable(`GET ${path.split('?')[0]}`, res) }]
      const turnsDone = (JSON.parse(res.text) as { turns?: Array<{ response: unknown }> }).turns?.filter((t) => t.response).length ?? 0
      body = res.text
      if (turnsDone >= turns) break
      await new Promise((r) => setTimeout(r, 100))
    }
    const raw = await startChild(benchFile('servers/raw.ts'), { cpu: SERVER_CPU, args: { history: body } })
    const load = await startChild(benchFile('clients/http-load.ts'), { cpu: LOAD_CPU })
    children.push(raw, load)
    for (const server of [raw, gateway]) await measure(server, load, path, ctx.quick ? 1 : 2)
    const pairs: Array<{ raw: Measured; gateway: Measured }> = []
    for (let i = 0; i < p.pairs; i++) {
      const first = i % 2 === 0 ? raw : gateway
      const a = await measure(first, load, path, p.dur)
      const b = await measure(first === raw ? gateway : raw, load, path, p.dur)
      pairs.push(first === raw ? { raw: a, gateway: b } : { raw: b, gateway: a })
    }
    return [
      {
        scenario,
        unit: 'req/s',
        ...pairStats(pairs.map((x) => ({ baseline: capacity(x.raw), value: capacity(x.gateway) }))),
        goal: '>= 0.75x',
        note:
          `${(Buffer.byteLength(body) / 1024).toFixed(1)} KB body; measured ${fmtRps(median(pairs.map((x) => x.raw.rps)))} vs ` +
          `${fmtRps(median(pairs.map((x) => x.gateway.rps)))} req/s; p99 ${fmtMs(median(pairs.map((x) => x.raw.p99Ms)))} vs ${fmtMs(median(pairs.map((x) => x.gateway.p99Ms)))} ms`,
        detail: pairs.map(detail),
      },
    ]
  } finally {
    await Promise.all(children.map((c) => c.stop()))
  }
}

const fmtMs = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '-')
const fmtRps = (x: number) => Math.round(x).toLocaleString('en-US')

/**
 * Requests per second of server CPU: what the server serves with a core to itself. On a machine
 * shared with other work the measured req/s says how much CPU the scheduler gave each server;
 * this says how much work each request took. Equal to req/s when the server saturates its core.
 */
const capacity = (m: Measured): number => (m.rps * (m.spanUs / 1e6)) / (m.serverCpuUs / 1e6)

const detail = (x: { raw: Measured; gateway: Measured }) => {
  const one = (m: Measured) => ({
    rps: Math.round(m.rps),
    cpuUsPerReq: +(1e6 / capacity(m)).toFixed(2),
    serverUtil: +(m.serverCpuUs / m.spanUs).toFixed(2),
    clientUtil: +(m.clientCpuUs / m.spanUs).toFixed(2),
    p99Ms: m.p99Ms,
  })
  return { raw: one(x.raw), gateway: one(x.gateway) }
}
