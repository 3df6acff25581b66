/** Node adapter: serve a gateway with @hono/node-server + `ws`, or embed it in a Node app. */
export { createNodeGateway } from './create-node-gateway'
export { createNodeRuntime } from './runtime'
export { openNodeStore, openPostgresStore, openSqliteStore } from './open-node-store'
export { lockDataDir } from './data-dir-lock'
export { serveGateway, type RunningServer } from './serve'
export { createNodeSseSink } from './sse-sink'
export { createNodeWsSink } from './ws-sink'
export * from '../../src/index'
