/**
 * The LLM paths, against a fake OpenAI-compatible upstream whose chunks carry monotonic stamps:
 * - `/v1/chat/completions` streaming through the gateway against a node:http pipe proxy and
 *   against the upstream directly (added latency, CPU per chunk);
 * - the agent path: upstream chunk -> agent -> hub -> SSE client, against the direct stream.
 * Both need the agent/chat subsystem; rows say SKIP where the route is not there.
 */
import { benchFile } from '../lib/paths'
import { type Child, type CpuSample, LOAD_CPU, SERVER_CPU, startChild } from '../lib/processes'
import type { BenchRow, ScenarioContext } from '../lib/types'
import { newThread, sendChat, unavailable } from '../lib/upstream'
import { median, pairStats } from '../lib/verdict'

interface ProxyRun {
  received: number
  errors: number
  statuses: number[]
  wallMs: number
  cpuUs: number
  p50Ms: number
  p99Ms: number
}
interface Measured extends ProxyRun {
  serverCpuUs: number
}

export async function run(ctx: ScenarioContext): Promise<BenchRow[]> {
  const p = ctx.quick ? { streams: 5, chunks: 20, pairs: 1, turns: 1 } : { streams: 50, chunks: 300, pairs: 3, turns: 5 }
  const upstream = await startChild(benchFile('fake-upstream.ts'), { cpu: LOAD_CPU })
  const upstreamPort = Number(upstream.info.port)
  const [gateway, rawProxy, client, sse] = await Promise.all([
    // The agent path needs threads, so this gateway has a (SQLite) store.
    startChild(benchFile('servers/gateway.ts'), { cpu: SERVER_CPU, args: { store: 'sqlite', llmBaseUrl: upstream.info.baseUrl } }),
    startChild(benchFile('servers/raw-proxy.ts'), { cpu: SERVER_CPU, args: { upstreamPort } }),
    startChild(benchFile('clients/proxy-client.ts'), { cpu: LOAD_CPU }),
    startChild(benchFile('clients/stream-client.ts'), { cpu: LOAD_CPU }),
  ])
  const measure = async (target: Child | 'direct', streams: number): Promise<Measured> => {
    const server = target === 'direct' ? undefined : target
    const before = await server?.call<CpuSample>('cpu')
    const r = await client.call<ProxyRun>('run', { port: server ? server.info.port : upstreamPort, streams }, 300_000)
    const after = await server?.call<CpuSample>('cpu')
    return { ...r, serverCpuUs: before && after ? after.cpuUs - before.cpuUs : 0 }
  }
  try {
    const rows: BenchRow[] = []
    rows.push(...(await proxyRows(p, upstream, gateway, rawProxy, measure)))
    rows.push(...(await agentRows(p, upstream, gateway, sse, measure)))
    return rows
  } finally {
    await Promise.all([upstream, gateway, rawProxy, client, sse].map((c) => c.stop()))
  }
}

async function proxyRows(
  p: { streams: number; chunks: number; pairs: number },
  upstream: Child,
  gateway: Child,
  rawProxy: Child,
  measure: (target: Child | 'direct', streams: number) => Promise<Measured>,
): Promise<BenchRow[]> {
  const label = `proxy /v1/chat/completions, ${p.streams} streams x 100 chunks/s`
  await upstream.call('configure', { chunks: 3, rate: 0 })
  const probe = await measure(gateway, 1)
  if (probe.received < 3 || !probe.statuses.every((s) => s === 200)) {
    const note = `POST /v1/chat/completions answered ${probe.statuses.join(',') || 'nothing'}: not available on this branch yet`
    return [
      { scenario: `${label}: added p50`, unit: 'ms', value: Number.NaN, goal: '<= 0.5', skipped: true, note },
      { scenario: `${label}: CPU per chunk`, unit: 'µs CPU/chunk', value: Number.NaN, goal: '<= 2x', skipped: true, note },
    ]
  }
  await upstream.call('configure', { chunks: Math.min(p.chunks, 50), rate: 0 })
  for (const t of ['direct', rawProxy, gateway] as const) await measure(t, p.streams)
  await upstream.call('configure', { chunks: p.chunks, rate: 100 })
  const pairs: Array<{ direct: Measured; raw: Measured; gateway: Measured }> = []
  for (let i = 0; i < p.pairs; i++) {
    const order = i % 2 === 0 ? (['direct', 'raw', 'gateway'] as const) : (['gateway', 'raw', 'direct'] as const)
    const got: Partial<Record<'direct' | 'raw' | 'gateway', Measured>> = {}
    for (const k of order) got[k] = await measure(k === 'direct' ? 'direct' : k === 'raw' ? rawProxy : gateway, p.streams)
    pairs.push(got as { direct: Measured; raw: Measured; gateway: Measured })
  }
  const cpuPerChunk = (m: Measured) => m.serverCpuUs / Math.max(1, m.received)
  const incomplete = pairs.filter((x) => x.gateway.received < p.streams * p.chunks).length
  return [
    {
      scenario: `${label}: added p50`,
      unit: 'ms',
      baseline: median(pairs.map((x) => x.raw.p50Ms - x.direct.p50Ms)),
      value: median(pairs.map((x) => x.gateway.p50Ms - x.direct.p50Ms)),
      goal: '<= 0.5',
      note:
        `over direct ${median(pairs.map((x) => x.direct.p50Ms)).toFixed(2)} ms; p99 direct/raw/gateway ` +
        `${['direct', 'raw', 'gateway'].map((k) => median(pairs.map((x) => x[k as 'raw'].p99Ms)).toFixed(1)).join('/')} ms` +
        (incomplete ? `; ${incomplete} gateway runs incomplete` : ''),
    },
    {
      scenario: `${label}: CPU per chunk`,
      unit: 'µs CPU/chunk',
      ...pairStats(pairs.map((x) => ({ baseline: cpuPerChunk(x.raw), value: cpuPerChunk(x.gateway) }))),
      goal: '<= 2x',
      note: 'baseline: node:http request + pipe',
    },
  ]
}

/**
 * Upstream chunk to SSE client through the agent: one SSE stream open, a chat message sent, the
 * stamped chunks of the answer timed as they arrive as `stream_chunk` events. Added = its p99
 * minus the p99 of the same upstream read directly.
 */
async function agentRows(
  p: { chunks: number; turns: number },
  upstream: Child,
  gateway: Child,
  sse: Child,
  measure: (target: Child | 'direct', streams: number) => Promise<Measured>,
): Promise<BenchRow[]> {
  const scenario = 'agent path: upstream chunk to SSE client, p99 added'
  const chunks = Math.min(p.chunks, 100)
  await upstream.call('configure', { chunks, rate: 100 })
  await sse.call('connect', { port: gateway.info.port, mode: 'sse', path: '/api/chat/events', n: 1 })
  const latencies: Array<{ p50: number; p99: number }> = []
  const threadId = await newThread(gateway)
  for (let turn = 0; turn < p.turns + 1; turn++) {
    await sse.call('reset')
    const sent = await sendChat(gateway, threadId, `Count to ${chunks}, turn ${turn}.`)
    if (sent.status !== 202) return [{ scenario, unit: 'ms', value: Number.NaN, goal: '< 2', skipped: true, note: unavailable('POST /api/chat/send', sent) }]
    const got = await sse.call<{ received: number }>('wait', { total: chunks, timeoutMs: 5_000 + chunks * 20 })
    const stats = await sse.call<{ received: number; latencyMs: { p50: number; p99: number } }>('stats')
    if (got.received === 0) {
      return [{ scenario, unit: 'ms', value: Number.NaN, goal: '< 2', skipped: true, note: 'no stamped stream_chunk arrived: the agent does not stream upstream deltas here' }]
    }
    // The first turn warms the path up.
    if (turn > 0) latencies.push(stats.latencyMs)
    await new Promise((r) => setTimeout(r, 300))
  }
  const direct = await measure('direct', 1)
  const p99 = median(latencies.map((l) => l.p99))
  return [
    {
      scenario,
      unit: 'ms',
      baseline: direct.p99Ms,
      value: p99 - direct.p99Ms,
      goal: '< 2',
      note: `${p.turns} turns x ${chunks} chunks at 100/s; p99 direct ${direct.p99Ms.toFixed(2)} vs via agent ${p99.toFixed(2)} ms; p50 added ${(median(latencies.map((l) => l.p50)) - direct.p50Ms).toFixed(2)} ms`,
    },
  ]
}
