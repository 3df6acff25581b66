import type { Gateway, GatewayOptions } from '../../src/gateway/gateway'
import { createRuntimeGateway } from '../shared/create-runtime-gateway'
import { openStore } from './open-store'
import { createRuntime } from './runtime'

/**
 * `createGateway()` with Node's capabilities filled in: `ws` upgrades, direct-to-socket SSE and WS
 * sinks, synchronous hashing, and the database the configuration names (SQLite in the data dir, or
 * PostgreSQL for `DATABASE_URL=postgres://...`). Pass `store: undefined` explicitly for none.
 *
 * @example
 * ```ts
 * import { createGateway, loadConfig, serveGateway } from 'agent-gateway/node'
 *
 * const gateway = await createGateway({ config: loadConfig(process.env) })
 * await serveGateway(gateway)
 * ```
 */
export function createGateway(options: GatewayOptions = {}): Promise<Gateway> {
  return createRuntimeGateway(options, (config) => createRuntime({ jobIsolation: config.jobs.isolation }), (config) => openStore(config))
}
