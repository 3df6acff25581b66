import { createGateway, type Gateway, type GatewayOptions } from '../../src/index'
import { createNodeRuntime } from './runtime'

/**
 * `createGateway()` with Node's runtime capabilities filled in: `ws` upgrades, direct-to-socket
 * SSE and WS sinks, synchronous hashing.
 */
export async function createNodeGateway(options: GatewayOptions = {}): Promise<Gateway> {
  return createGateway({ ...options, runtime: { ...createNodeRuntime(), ...options.runtime } })
}
