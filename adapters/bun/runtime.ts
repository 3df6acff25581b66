import { upgradeWebSocket } from 'hono/bun'
import type { RuntimeCapabilities } from '../../src/index'
import { bun } from './bun-global'
import { createBunWsSink } from './ws-sink'

/**
 * Bun's capabilities for the core: native synchronous SHA-256, hono/bun upgrades (served with
 * `bunWebSocket` from `serveBunGateway`), and a drain-driven WebSocket sink. SSE uses the core's
 * Web Streams sink, which Bun runs natively.
 */
export function createBunRuntime(): RuntimeCapabilities {
  const { SHA256 } = bun()
  return {
    name: 'bun',
    sha256: (input) => SHA256.hash(input),
    upgradeWebSocket,
    wsSink: (ws, { bufferBytes }) => createBunWsSink(ws, bufferBytes),
  }
}
