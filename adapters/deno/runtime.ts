import { createHash } from 'node:crypto'
import { upgradeWebSocket } from 'hono/deno'
import type { RuntimeCapabilities } from '../../src/index'

/**
 * Deno's capabilities for the core: synchronous SHA-256 (Deno's node:crypto) and hono/deno
 * upgrades. SSE and WebSocket use the core's Web Streams and generic sinks; Deno's sockets
 * expose `bufferedAmount` and ping idle peers themselves.
 */
export function createDenoRuntime(): RuntimeCapabilities {
  return {
    name: 'deno',
    sha256: (input) => createHash('sha256').update(input).digest(),
    upgradeWebSocket,
  }
}
