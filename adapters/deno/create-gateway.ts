import type { Gateway, GatewayOptions } from '../../src/gateway/gateway'
import { createRuntimeGateway } from '../shared/create-runtime-gateway'
import { openStore } from './open-store'
import { createRuntime } from './runtime'

/**
 * `createGateway()` with Deno's capabilities and the configured database (node:sqlite in the data
 * dir, or PostgreSQL). Serve it with `serveGateway`, or pass `gateway.fetch` to `Deno.serve`.
 *
 * @example
 * ```ts
 * import { createGateway, loadConfig, serveGateway } from 'agent-gateway/deno'
 *
 * const gateway = await createGateway({ config: loadConfig(Deno.env.toObject()) })
 * await serveGateway(gateway)
 * ```
 */
export function createGateway(options: GatewayOptions = {}): Promise<Gateway> {
  return createRuntimeGateway(options, (config) => createRuntime({ jobIsolation: config.jobs.isolation }), (config) => openStore(config))
}
