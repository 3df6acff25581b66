/**
 * `agent-gateway/node`: the gateway on Node, served with @hono/node-server and `ws` or embedded in
 * a Node app. `agent-gateway/bun` and `agent-gateway/deno` export the same names (`createGateway`,
 * `serveGateway`, `openStore`, `createRuntime`, ...) for their runtimes: the import path picks
 * the runtime. Everything `agent-gateway` exports is here too, with `createGateway` the Node one
 * (the core's plus Node's capabilities and the configured database).
 *
 * @example
 * ```ts
 * import { createGateway, loadConfig, serveGateway } from 'agent-gateway/node'
 *
 * const gateway = await createGateway({ config: loadConfig(process.env, process.argv.slice(2)) })
 * const server = await serveGateway(gateway)
 * console.log(`gateway listening on ${server.url}`)
 * ```
 * @module
 */
export * from '../../src/index'
export { createGateway } from './create-gateway'
export { serveGateway, type RunningServer } from './serve-gateway'
export { openStore, openPostgresStore, openSqliteStore } from './open-store'
export { createRuntime } from './runtime'
export { systemCapabilities, type SystemOptions } from '../shared/system-capabilities'
export { createSandbox, createProcessPort, createWorkspaceFs, findBwrap } from '../shared/sandbox/index'
export { startGateway, StartingGateway, type StartRetryOptions } from '../shared/starting-gateway'
export type { ServableGateway, ServedGateway } from '../shared/served-gateway'
export { lockDataDir } from '../shared/data-dir-lock'
export { ownerToken } from '../shared/owner-token'
export { openTracing } from '../shared/open-tracing'

// Node's own: embedding in a node:http server, its WebSocket server, its sinks, LISTEN/NOTIFY.
export { createNodeListeners, nodeWebSocketServer, type NodeListeners } from './listeners'
export { createNodeSseSink } from './sse-sink'
export { createNodeWsSink } from './ws-sink'
export { PgNotifier, type PgNotifierOptions } from '../shared/pg-notifier'

export { createNodeGateway, createNodeRuntime, openNodeStore } from './deprecated'
