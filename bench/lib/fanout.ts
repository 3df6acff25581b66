/**
 * Fan-out measurements shared by the `sse` and `ws` scenarios: a gateway and a baseline server
 * (one process each, pinned to the server CPU) and one raw-socket client process (pinned to the
 * load CPU) holding streams to both. Only one server broadcasts at a time.
 */
import { benchFile } from './paths'
import { type Child, type CpuSample, LOAD_CPU, SERVER_CPU, startChild } from './processes'
import type { BenchRow } from './types'
import { median, pairStats } from './verdict'

export type Mode = 'sse' | 'ws'
const PATH: Record<Mode, string> = { sse: '/api/chat/events', ws: '/api/chat/ws' }

interface Mem {
  rss: number
  heapUsed: number
}
interface ClientStats {
  received: number
  firstUs: number
  lastUs: number
  cpuUs: number
  latencyMs: { p50: number; p90: number; p99: number; max: number }
}
export interface Broadcast {
  received: number
  expected: number
  /** Server CPU per delivered event, µs. */
  cpuPerDelivery: number
  /** Delivered within one second after the last event was produced, % of expected. */
  onTimePct: number
  latencyMs: ClientStats['latencyMs']
  clientUtil: number
  serverUtil: number
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export class FanoutBench {
  private constructor(
    readonly mode: Mode,
    readonly raw: Child,
    readonly gateway: Child,
    readonly client: Child,
  ) {}

  static async start(mode: Mode): Promise<FanoutBench> {
    const [raw, gateway, client] = await Promise.all([
      startChild(benchFile('servers/raw.ts'), { cpu: SERVER_CPU }),
      startChild(benchFile('servers/gateway.ts'), { cpu: SERVER_CPU }),
      startChild(benchFile('clients/stream-client.ts'), { cpu: LOAD_CPU }),
    ])
    return new FanoutBench(mode, raw, gateway, client)
  }

  async stop(): Promise<void> {
    await Promise.all([this.raw.stop(), this.gateway.stop(), this.client.stop()])
  }

  /** Opens `n` streams to `server` and waits until the server counts them. */
  async connect(server: Child, n: number): Promise<void> {
    const want = (await server.call<number>('subscribers')) + n
    const group = String(server.info.kind)
    await this.client.call('connect', { port: server.info.port, mode: this.mode, path: PATH[this.mode], n, group }, 300_000)
    await this.until(server, (count) => count >= want, 10_000)
  }

  /** Closes the streams to one server and waits until it counts none. */
  async close(server: Child): Promise<void> {
    await this.client.call('closeAll', { group: server.info.kind })
    await this.until(server, (count) => count === 0, 20_000)
  }

  /**
   * Bursts at a scale where one client process cannot hold streams to both servers at once
   * (10,000 each would pass its 20,000 file descriptors): all baseline runs, then all gateway
   * runs, paired in order. Less robust against drift than alternating.
   */
  async sequentialBursts(label: string, n: number, count: number, pairs: number, goal: string): Promise<BenchRow> {
    const runs = async (server: Child) => {
      await this.connect(server, n)
      await this.broadcast(server, n, Math.min(count, 20), 0)
      const out: Broadcast[] = []
      for (let i = 0; i < pairs; i++) out.push(await this.broadcast(server, n, count, 0))
      await this.close(server)
      return out
    }
    const raw = await runs(this.raw)
    const gateway = await runs(this.gateway)
    const results = raw.map((r, i) => ({ raw: r, gateway: gateway[i]! }))
    return {
      scenario: `${this.mode} ${label}`,
      unit: 'µs CPU/delivery',
      ...pairStats(results.map((r) => ({ baseline: r.raw.cpuPerDelivery, value: r.gateway.cpuPerDelivery }))),
      goal,
      clientBound: clientBound(results),
      detail: results.map(details),
      note: `${count} events x ${n} clients, baseline runs then gateway runs`,
    }
  }

  async closeAll(): Promise<void> {
    await this.client.call('closeAll')
    for (const server of [this.raw, this.gateway]) await this.until(server, (count) => count === 0, 10_000)
  }

  /** Polls the server's subscriber count; returns the ms it took, or throws after `timeoutMs`. */
  async until(server: Child, done: (count: number) => boolean, timeoutMs: number): Promise<number> {
    const t0 = performance.now()
    for (;;) {
      const count = await server.call<number>('subscribers')
      if (done(count)) return performance.now() - t0
      if (performance.now() - t0 > timeoutMs) throw new Error(`${server.info.kind}: ${count} subscribers after ${timeoutMs} ms`)
      await sleep(10)
    }
  }

  mem(server: Child): Promise<Mem> {
    return server.call<Mem>('mem', { gc: true })
  }

  /** Idle memory per stream: RSS and heap after a full GC, before and after opening `n` streams. */
  async idleMemory(server: Child, n: number): Promise<{ rssKB: number; heapKB: number; rssMB: number }> {
    // Warm the connection path first (code compiled, pools allocated) and let the heap settle,
    // so the delta is the streams' and not start-up garbage being returned.
    await this.connect(server, Math.min(n, 100))
    await this.client.call('closeAll', { group: server.info.kind })
    await this.until(server, (count) => count === 0, 10_000)
    await this.mem(server)
    await sleep(200)
    const before = await this.mem(server)
    await this.connect(server, n)
    await sleep(300)
    const after = await this.mem(server)
    return {
      rssKB: (after.rss - before.rss) / n / 1024,
      heapKB: (after.heapUsed - before.heapUsed) / n / 1024,
      rssMB: after.rss / 1048576,
    }
  }

  /** One broadcast of `count` events from `server` to its `n` streams, at `rate` events/s (0 = burst). */
  async broadcast(server: Child, n: number, count: number, rate: number): Promise<Broadcast> {
    const expected = n * count
    await this.client.call('reset')
    const profiling = await server.call<boolean>('profileStart')
    const cpu0 = await server.call<CpuSample>('cpu')
    const sent = await server.call<{ t0Us: number; sendMs: number }>('broadcast', { count, rate }, 600_000)
    const onTime = await this.client.call<{ received: number }>('wait', { total: expected, timeoutMs: 1_000 })
    await this.client.call('wait', { total: expected, timeoutMs: 120_000, idleMs: 3_000 }, 130_000)
    const stats = await this.client.call<ClientStats>('stats')
    const cpu1 = await server.call<CpuSample>('cpu')
    if (profiling) await server.call('profileStop', { name: `${this.mode}-${server.info.kind}-n${n}-c${count}-r${rate}` })
    const spanUs = Math.max(1, stats.lastUs - sent.t0Us)
    return {
      received: stats.received,
      expected,
      cpuPerDelivery: (cpu1.cpuUs - cpu0.cpuUs) / Math.max(1, stats.received),
      onTimePct: (100 * onTime.received) / expected,
      latencyMs: stats.latencyMs,
      clientUtil: stats.cpuUs / spanUs,
      serverUtil: (cpu1.cpuUs - cpu0.cpuUs) / spanUs,
    }
  }

  /**
   * Alternating A/B bursts: CPU per delivery, gateway against baseline. Both servers must have
   * `n` streams open.
   */
  async burstPairs(label: string, n: number, count: number, pairs: number, goal: string): Promise<BenchRow> {
    await this.broadcast(this.raw, n, Math.min(count, 200), 0)
    await this.broadcast(this.gateway, n, Math.min(count, 200), 0)
    const results: Array<{ raw: Broadcast; gateway: Broadcast }> = []
    for (let i = 0; i < pairs; i++) {
      const first = i % 2 === 0 ? this.raw : this.gateway
      const a = await this.broadcast(first, n, count, 0)
      const b = await this.broadcast(first === this.raw ? this.gateway : this.raw, n, count, 0)
      results.push(first === this.raw ? { raw: a, gateway: b } : { raw: b, gateway: a })
    }
    const lost = results.reduce((s, r) => s + (r.gateway.expected - r.gateway.received), 0)
    const stats = pairStats(results.map((r) => ({ baseline: r.raw.cpuPerDelivery, value: r.gateway.cpuPerDelivery })))
    return {
      scenario: `${this.mode} ${label}`,
      unit: 'µs CPU/delivery',
      ...stats,
      goal,
      clientBound: clientBound(results),
      detail: results.map(details),
      note:
        `${count} events x ${n} clients; p99 ${fmt(median(results.map((r) => r.raw.latencyMs.p99)))} vs ` +
        `${fmt(median(results.map((r) => r.gateway.latencyMs.p99)))} ms; client CPU ${pct(median(results.map((r) => r.gateway.clientUtil)))}` +
        (lost ? `; gateway dropped ${lost} (resync)` : ''),
    }
  }

  /** Token streaming: `rate` events/s for `seconds`, A/B. Rows for on-time delivery and p99. */
  async pacedPairs(n: number, rate: number, seconds: number, pairs: number): Promise<BenchRow[]> {
    const count = Math.round(rate * seconds)
    const results: Array<{ raw: Broadcast; gateway: Broadcast }> = []
    for (let i = 0; i < pairs; i++) {
      const first = i % 2 === 0 ? this.raw : this.gateway
      const a = await this.broadcast(first, n, count, rate)
      const b = await this.broadcast(first === this.raw ? this.gateway : this.raw, n, count, rate)
      results.push(first === this.raw ? { raw: a, gateway: b } : { raw: b, gateway: a })
    }
    const label = `${this.mode} paced ${rate} ev/s to ${n.toLocaleString('en-US')}`
    return [
      {
        scenario: `${label}: delivered on time`,
        unit: '%',
        baseline: Math.min(...results.map((r) => r.raw.onTimePct)),
        value: Math.min(...results.map((r) => r.gateway.onTimePct)),
        goal: '>= 98',
        note: `worst of ${pairs}; on time = within 1 s of the last event produced`,
      },
      {
        scenario: `${label}: p99 latency`,
        unit: 'ms',
        ...pairStats(results.map((r) => ({ baseline: r.raw.latencyMs.p99, value: r.gateway.latencyMs.p99 }))),
        goal: '<= 2x and < 100',
        clientBound: clientBound(results),
        detail: results.map(details),
        note: `p50 ${fmt(median(results.map((r) => r.raw.latencyMs.p50)))} vs ${fmt(median(results.map((r) => r.gateway.latencyMs.p50)))} ms`,
      },
    ]
  }

  /**
   * Disconnect hygiene on the gateway: `n` streams closed with FIN, then `n` with RST; the
   * subscriber count must reach 0 within 1 s and the heap return to within 10%.
   */
  async hygiene(n: number): Promise<BenchRow[]> {
    const rows: BenchRow[] = []
    const gw = this.gateway
    await this.closeAll()
    const heap0 = (await this.mem(gw)).heapUsed
    for (const how of ['fin', 'rst'] as const) {
      await this.connect(gw, n)
      await this.client.call('close', { count: n, how, group: gw.info.kind })
      const ms = await this.until(gw, (count) => count === 0, 10_000).catch(() => 10_000) // not in 10 s: reported as 10 s, a FAIL
      await this.client.call('closeAll', { group: gw.info.kind })
      rows.push({
        scenario: `${this.mode} ${n.toLocaleString('en-US')} ${how.toUpperCase()} disconnects: subscribers to 0`,
        unit: 'ms',
        value: ms,
        goal: '< 1000',
      })
    }
    await sleep(200)
    const heap1 = (await this.mem(gw)).heapUsed
    rows.push({
      scenario: `${this.mode} heap after ${(2 * n).toLocaleString('en-US')} disconnects`,
      unit: '% vs before',
      value: (100 * (heap1 - heap0)) / heap0,
      goal: '< 10',
      note: `${(heap0 / 1048576).toFixed(1)} -> ${(heap1 / 1048576).toFixed(1)} MB heap`,
    })
    return rows
  }
}

/** The client process, not the server, set the pace: above 80% of a core while the server had room. */
const clientBound = (results: Array<{ raw: Broadcast; gateway: Broadcast }>): boolean =>
  results.some((r) => [r.raw, r.gateway].some((b) => b.clientUtil > 0.8 && b.serverUtil < 0.8))

const details = (r: { raw: Broadcast; gateway: Broadcast }) => {
  const one = (b: Broadcast) => ({
    cpuPerDelivery: +b.cpuPerDelivery.toFixed(3),
    received: b.received,
    expected: b.expected,
    latencyMs: b.latencyMs,
    clientUtil: +b.clientUtil.toFixed(2),
    serverUtil: +b.serverUtil.toFixed(2),
  })
  return { raw: one(r.raw), gateway: one(r.gateway) }
}

const fmt = (x: number) => (Number.isFinite(x) ? (x < 10 ? x.toFixed(2) : x.toFixed(0)) : '-')
const pct = (x: number) => `${Math.round(100 * x)}%`
