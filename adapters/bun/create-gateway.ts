import type { Gateway, GatewayOptions } from '../../src/gateway/create-gateway'
import { createRuntimeGateway } from '../shared/create-runtime-gateway'
import { openBunStore } from './open-store'
import { createBunRuntime } from './runtime'

/**
 * `createGateway()` with Bun's capabilities and the configured database (bun:sqlite in the data
 * dir, or PostgreSQL). Serve it with `serveBunGateway`, or pass `gateway.fetch` and
 * `bunWebSocket` to your own `Bun.serve`.
 */
export function createBunGateway(options: GatewayOptions = {}): Promise<Gateway> {
  return createRuntimeGateway(options, (config) => createBunRuntime({ jobIsolation: config.jobs.isolation }), (config) => openBunStore(config))
}
