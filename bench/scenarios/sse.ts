/**
 * SSE fan-out: the gateway's `/api/chat/events` (Hono route, auth, hub, Node sink) against a raw
 * node:http server that `res.write`s one pre-encoded buffer per client. Idle memory per stream,
 * CPU per delivered event in bursts at 100 and 1,000 clients, token-rate streaming to 1,000
 * clients, and disconnect hygiene.
 */
import { FanoutBench } from '../lib/fanout'
import type { BenchRow, ScenarioContext } from '../lib/types'

export async function run(ctx: ScenarioContext): Promise<BenchRow[]> {
  const p = ctx.quick
    ? { idle: 200, big: 200, small: 20, burstBig: 50, burstSmall: 200, pairs: 1, pacedSeconds: 1, pacedPairs: 1, hygiene: 100 }
    : { idle: 5000, big: 1000, small: 100, burstBig: 300, burstSmall: 2000, pairs: 3, pacedSeconds: 4, pacedPairs: 2, hygiene: 1000 }
  return fanoutScenario('sse', ctx, p, { idleRssKB: 25, idle10kMB: 300 })
}

export async function fanoutScenario(
  mode: 'sse' | 'ws',
  ctx: ScenarioContext,
  p: { idle: number; big: number; small: number; burstBig: number; burstSmall: number; pairs: number; pacedSeconds: number; pacedPairs: number; hygiene: number },
  goals: { idleRssKB: number; idle10kMB: number },
): Promise<BenchRow[]> {
  const rows: BenchRow[] = []
  const t0 = Date.now()
  /** Progress on stderr, so a slow phase is visible while the table stays clean. */
  const step = async <T>(label: string, work: () => Promise<T>): Promise<T> => {
    const t = Date.now()
    const out = await work()
    process.stderr.write(`  ${mode}: ${label} (${((Date.now() - t) / 1000).toFixed(1)} s, total ${((Date.now() - t0) / 1000).toFixed(0)} s)\n`)
    return out
  }
  const bench = await step('start', () => FanoutBench.start(mode))
  try {
    // Idle memory first, on fresh processes, so earlier traffic does not blur the deltas; with
    // thousands of streams, so the allocator's few MB of slack do not swing the per-stream figure.
    const rawMem = await step('idle memory, baseline', () => bench.idleMemory(bench.raw, p.idle))
    await bench.close(bench.raw)
    const gwMem = await step('idle memory, gateway', () => bench.idleMemory(bench.gateway, p.idle))
    await bench.close(bench.gateway)
    rows.push({
      scenario: `${mode} idle memory per stream (${p.idle.toLocaleString('en-US')} open)`,
      unit: 'KB RSS',
      baseline: rawMem.rssKB,
      value: gwMem.rssKB,
      goal: `<= ${goals.idleRssKB}`,
      note: `heap ${rawMem.heapKB.toFixed(1)} vs ${gwMem.heapKB.toFixed(1)} KB per stream`,
    })

    await step('connect many', async () => {
      await bench.connect(bench.raw, p.big)
      await bench.connect(bench.gateway, p.big)
    })
    rows.push(await step('bursts, many clients', () => bench.burstPairs(`burst to ${p.big.toLocaleString('en-US')} clients`, p.big, p.burstBig, p.pairs, '<= 1.3x')))
    rows.push(...(await step('paced', () => bench.pacedPairs(p.big, 100, p.pacedSeconds, p.pacedPairs))))
    await step('close', () => bench.closeAll())

    await step('connect few', async () => {
      await bench.connect(bench.raw, p.small)
      await bench.connect(bench.gateway, p.small)
    })
    rows.push(await step('bursts, few clients', () => bench.burstPairs(`burst to ${p.small} clients`, p.small, p.burstSmall, p.pairs, '<= 1.3x')))

    rows.push(...(await step('disconnect hygiene', () => bench.hygiene(p.hygiene))))

    if (ctx.full) {
      await bench.closeAll()
      const n = 10_000
      const raw10k = await step('10k idle, baseline', () => bench.idleMemory(bench.raw, n))
      await bench.close(bench.raw)
      const gw10k = await step('10k idle, gateway', () => bench.idleMemory(bench.gateway, n))
      await bench.close(bench.gateway)
      rows.push({
        scenario: `${mode} 10,000 idle streams: process RSS`,
        unit: 'MB',
        baseline: raw10k.rssMB,
        value: gw10k.rssMB,
        goal: `< ${goals.idle10kMB}`,
        note: `${raw10k.rssKB.toFixed(1)} vs ${gw10k.rssKB.toFixed(1)} KB RSS per stream`,
      })
      rows.push(await step('10k bursts', () => bench.sequentialBursts('burst to 10,000 clients', n, mode === 'ws' ? 20 : 100, 2, '<= 1.3x')))
    }
    return rows
  } finally {
    await bench.stop()
  }
}
