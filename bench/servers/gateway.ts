/**
 * The gateway under test: the real `createGateway` + `serveGateway`, no store (or a temp
 * SQLite one), limits raised so a thousand streams fit. Events are published through
 * `gateway.hub`, the same path the agent's channel takes.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BENCH_TOKEN, BENCH_USER, chunkEvent, publishLoop, trackSockets } from '../lib/shared'

export interface GatewayArgs {
  store?: 'none' | 'sqlite'
  /** OpenAI-compatible upstream for `/v1/chat/completions` and the agent. */
  llmBaseUrl?: string
}

type NodeAdapter = typeof import('../../adapters/node/index')

export async function start(args: GatewayArgs) {
  // The bundle `bench/run.ts` builds (the code as it ships); the sources when run on their own.
  const { createGateway, openSqliteStore, serveGateway } = (await import(
    process.env.BENCH_GATEWAY_BUNDLE ?? '../../adapters/node/index'
  )) as NodeAdapter
  const dataDir = mkdtempSync(join(tmpdir(), 'gateway-bench-'))
  const store = args.store === 'sqlite' ? await openSqliteStore(join(dataDir, 'gateway.db')) : undefined
  const gateway = await createGateway({
    store,
    config: {
      authToken: BENCH_TOKEN,
      userId: BENCH_USER,
      host: '127.0.0.1',
      port: 0,
      dataDir,
      logLevel: 'error',
      llm: args.llmBaseUrl ? { backend: 'openai_compatible', baseUrl: args.llmBaseUrl, apiKey: 'bench', model: 'bench-model' } : undefined,
      limits: {
        maxConnections: 25_000,
        maxConnectionsPerUser: 25_000,
        streamOpensPerWindow: 1_000_000,
        chatMessagesPerWindow: 1_000_000,
        // No keep-alive traffic during a run: the baselines send none either.
        keepAliveMs: 3_600_000,
      },
    },
  })
  const running = await serveGateway(gateway)
  const sockets = trackSockets(running.server)

  return {
    info: { port: running.port, kind: 'gateway' },
    commands: {
      broadcast: ({ count, rate }: { count: number; rate: number }) =>
        publishLoop({ count, rate, sockets, publish: () => gateway.hub.publish(BENCH_USER, chunkEvent()) }),
      subscribers: () => gateway.hub.subscriberCount(),
      hubStats: () => ({ dropped: gateway.hub.dropped, counts: gateway.hub.counts() }),
    },
    async stop() {
      await running.close(500)
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
