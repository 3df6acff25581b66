/**
 * `agent-gateway/bun`: the gateway on Bun, served with `Bun.serve` and hono/bun WebSockets,
 * SQLite through bun:sqlite. The same names as `agent-gateway/node` and `agent-gateway/deno`
 * (the import path picks the runtime), and everything `agent-gateway` exports, with
 * `createGateway` the Bun one.
 *
 * @example
 * ```ts
 * import { createGateway, loadConfig, serveGateway } from 'agent-gateway/bun'
 *
 * const gateway = await createGateway({ config: loadConfig(process.env, Bun.argv.slice(2)) })
 * const server = await serveGateway(gateway)
 * console.log(`gateway listening on ${server.url}`)
 * ```
 * @module
 */
export * from '../../src/index'
export { createGateway } from './create-gateway'
export { serveGateway, type RunningServer } from './serve-gateway'
export { openStore, openSqliteStore } from './open-store'
export { openPostgresStore } from '../shared/open-store'
export { createRuntime } from './runtime'
export { systemCapabilities, type SystemOptions } from '../shared/system-capabilities'
export { createSandbox, createProcessPort, createWorkspaceFs, findBwrap } from '../shared/sandbox/index'
export { startGateway, StartingGateway, type StartRetryOptions } from '../shared/starting-gateway'
export type { ServableGateway, ServedGateway } from '../shared/served-gateway'
export { lockDataDir } from '../shared/data-dir-lock'
export { ownerToken } from '../shared/owner-token'
export { openTracing } from '../shared/open-tracing'

// Bun's own: the `websocket` handler for a `Bun.serve` of your own, and its WebSocket sink.
export { bunWebSocket } from './serve-gateway'
export { createBunWsSink } from './ws-sink'

export { type BunServedGateway, createBunGateway, createBunRuntime, openBunSqliteStore, openBunStore, serveBunGateway } from './deprecated'
