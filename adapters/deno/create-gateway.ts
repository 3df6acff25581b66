import type { Gateway, GatewayOptions } from '../../src/gateway/create-gateway'
import { createRuntimeGateway } from '../shared/create-runtime-gateway'
import { openDenoStore } from './open-store'
import { createDenoRuntime } from './runtime'

/**
 * `createGateway()` with Deno's capabilities and the configured database (node:sqlite in the data
 * dir, or PostgreSQL). Serve it with `serveDenoGateway`, or pass `gateway.fetch` to `Deno.serve`.
 */
export function createDenoGateway(options: GatewayOptions = {}): Promise<Gateway> {
  return createRuntimeGateway(options, (config) => createDenoRuntime({ jobIsolation: config.jobs.isolation }), (config) => openDenoStore(config))
}
