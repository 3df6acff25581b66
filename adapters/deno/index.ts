/**
 * `agent-gateway/deno`: the gateway on Deno, served with `Deno.serve` and hono/deno WebSockets,
 * SQLite through node:sqlite. The same names as `agent-gateway/node` and `agent-gateway/bun`
 * (the import path picks the runtime), and everything `agent-gateway` exports, with
 * `createGateway` the Deno one.
 *
 * @example
 * ```ts
 * import { createGateway, loadConfig, serveGateway } from 'agent-gateway/deno'
 *
 * const gateway = await createGateway({ config: loadConfig(Deno.env.toObject(), Deno.args) })
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

// Deno's own: node:sqlite as the database driver Kysely's SQLite dialect expects.
export { nodeSqliteDatabase } from './node-sqlite-database'

export { createDenoGateway, createDenoRuntime, type DenoServedGateway, openDenoSqliteStore, openDenoStore, serveDenoGateway } from './deprecated'
