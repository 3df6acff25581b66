import type { Gateway, GatewayOptions } from '../../src/gateway/create-gateway'
import { createRuntimeGateway } from '../shared/create-runtime-gateway'
import { openNodeStore } from './open-store'
import { createNodeRuntime } from './runtime'

/**
 * `createGateway()` with Node's capabilities filled in: `ws` upgrades, direct-to-socket SSE and WS
 * sinks, synchronous hashing, and the database the configuration names (SQLite in the data dir, or
 * PostgreSQL for `DATABASE_URL=postgres://...`). Pass `store: undefined` explicitly for none.
 */
export function createNodeGateway(options: GatewayOptions = {}): Promise<Gateway> {
  return createRuntimeGateway(options, (config) => createNodeRuntime({ jobIsolation: config.jobs.isolation }), (config) => openNodeStore(config))
}
