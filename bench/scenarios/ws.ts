/**
 * WebSocket fan-out: the gateway's `/api/chat/ws` (upgrade with auth and Origin check, hub, Node
 * sink writing one pre-built frame to every socket) against a plain `ws` server that calls
 * `ws.send` with one pre-encoded buffer per client.
 */
import type { BenchRow, ScenarioContext } from '../lib/types'

// Fewer events than SSE: a plain ws.send loop makes one syscall per message per client, so the
// baseline's bursts take ~10x longer to deliver.
import { fanoutScenario } from './sse'

export async function run(ctx: ScenarioContext): Promise<BenchRow[]> {
  const p = ctx.quick
    ? { idle: 200, big: 200, small: 20, burstBig: 50, burstSmall: 200, pairs: 1, pacedSeconds: 1, pacedPairs: 1, hygiene: 100 }
    : { idle: 5000, big: 1000, small: 100, burstBig: 100, burstSmall: 1000, pairs: 3, pacedSeconds: 3, pacedPairs: 1, hygiene: 1000 }
  return fanoutScenario('ws', ctx, p, { idleRssKB: 15, idle10kMB: 300 })
}
