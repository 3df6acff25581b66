import { mkdir } from 'node:fs/promises'
import process from 'node:process'
import { getConsoleSink } from '@logtape/logtape'
import { configureLogging, GatewayLogging } from '../../src/logging/gateway-logging'
import type { Gateway } from '../../src/gateway/gateway'
import { type GatewayConfig, loadConfig } from '../../src/config/gateway-config'
import { VERSION } from '../../src/version'
import { unrefTimer } from '../../src/lib/time'
import type { Tracing } from '../../src/ports/tracing'
import { openTracing } from './open-tracing'
import { ownerToken } from './owner-token'
import type { ServableGateway, ServedGateway } from './served-gateway'
import { startGateway, StartingGateway } from './starting-gateway'

const HELP = `gateway ${VERSION}: HTTP API, streaming and web app for a self-hosted AI agent

Usage: gateway [--host HOST] [--port PORT] [--data-dir DIR] [--log-level LEVEL]

Environment: GATEWAY_HOST, GATEWAY_PORT, GATEWAY_AUTH_TOKEN, GATEWAY_USER_ID, GATEWAY_DATA_DIR,
GATEWAY_ALLOWED_ORIGINS, GATEWAY_MASTER_KEY, DATABASE_URL, DATABASE_TIMEOUT_SECS, LLM_BACKEND,
LLM_BASE_URL, LLM_API_KEY, LLM_MODEL, EMBEDDING_MODEL, GATEWAY_LOG_LEVEL, OTEL_EXPORTER_OTLP_ENDPOINT,
OTEL_SERVICE_NAME (see the README).`

/** What a runtime adapter plugs into the shared CLI. */
export interface CliRuntime {
  /** The gateway with this runtime's capabilities and database driver. */
  createGateway(config: GatewayConfig, logging: GatewayLogging, tracing: Tracing | undefined): Promise<Gateway>
  serve(gateway: ServableGateway): Promise<ServedGateway>
}

/**
 * The `gateway` command, the same on every runtime: configuration from env and flags, the owner
 * token (generated once, stored 0600 in the data dir), one `gateway listening on URL` line, and a
 * graceful stop on SIGINT/SIGTERM within 10 s. A database that cannot be reached at start is
 * waited for (`StartingGateway`: 503 meanwhile, health included) rather than a reason to exit.
 * Node, Bun and Deno all run it through their Node-compatible `process` and `fs`.
 */
export async function runCli(runtime: CliRuntime, argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  try {
    if (argv.includes('--help') || argv.includes('-h')) return void console.log(HELP)
    if (argv.includes('--version')) return void console.log(VERSION)
    const config = loadConfig(process.env, argv)
    // Every line is redacted before the console (or /api/logs/events) sees it.
    const logging = new GatewayLogging({ level: config.logLevel })
    await configureLogging(logging, { console: getConsoleSink() })
    await mkdir(config.dataDir, { recursive: true })
    const owner = config.authToken ? undefined : await ownerToken(config.dataDir)
    const gatewayConfig = { ...config, authToken: config.authToken ?? owner!.token }
    // OpenTelemetry only when its standard variables ask for it; the SDK is not even loaded otherwise.
    const tracing = await openTracing(process.env)
    const gateway = await startGateway(gatewayConfig, () => runtime.createGateway(gatewayConfig, logging, tracing))
    const running = await runtime.serve(gateway)
    if (owner?.generated) console.log(`owner token (generated, stored in ${owner.path}): ${owner.token}`)
    else if (owner) console.log(`owner token: stored in ${owner.path}`)
    console.log(`gateway listening on ${running.url}`)
    // Start-up loads no SDK; the provider's (Anthropic's, ~25 ms of parsing) loads now, while
    // nobody waits for it, rather than in the first chat turn.
    const warm = (ready: Gateway | undefined) => void ready?.services.llm?.warm?.().catch(() => undefined)
    setImmediate(() => (gateway instanceof StartingGateway ? gateway.ready.then(warm, () => undefined) : warm(gateway)))

    let stopping = false
    if (gateway instanceof StartingGateway) {
      // Only a failure other than the database being away ends the attempts: a broken migration.
      gateway.ready.catch((error: unknown) => {
        if (stopping) return
        stopping = true
        console.error(`gateway failed to start: ${error instanceof Error ? error.message : String(error)}`)
        unrefTimer(setTimeout(() => process.exit(1), 3_000))
        running.close(2_000).finally(() => process.exit(1))
      })
    }
    const stop = (signal: string) => {
      if (stopping) return
      stopping = true
      console.log(`${signal} received, shutting down`)
      // Whatever happens, exit within 10 s.
      unrefTimer(setTimeout(() => process.exit(0), 9_500))
      running.close(8_000).then(
        () => process.exit(0),
        () => process.exit(0),
      )
    }
    process.on('SIGINT', () => stop('SIGINT'))
    process.on('SIGTERM', () => stop('SIGTERM'))
  } catch (error) {
    console.error(`gateway failed to start: ${error instanceof Error ? error.message : String(error)}`)
    process.exit(1)
  }
}
