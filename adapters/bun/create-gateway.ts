import type { Gateway, GatewayOptions } from '../../src/gateway/gateway'
import { createRuntimeGateway } from '../shared/create-runtime-gateway'
import { openStore } from './open-store'
import { createRuntime } from './runtime'

/**
 * `createGateway()` with Bun's capabilities and the configured database (bun:sqlite in the data
 * dir, or PostgreSQL). Serve it with `serveGateway`, or pass `gateway.fetch` and
 * `bunWebSocket` to your own `Bun.serve`.
 *
 * @example
 * ```ts
 * import { createGateway, loadConfig, serveGateway } from 'agent-gateway/bun'
 *
 * const gateway = await createGateway({ config: loadConfig(process.env) })
 * await serveGateway(gateway)
 * ```
 */
export function createGateway(options: GatewayOptions = {}): Promise<Gateway> {
  return createRuntimeGateway(options, (config) => createRuntime({ jobIsolation: config.jobs.isolation }), (config) => openStore(config))
}
