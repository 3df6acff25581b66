import { getConnInfo, upgradeWebSocket } from 'hono/bun'
import type { RuntimeCapabilities } from '../../src/ports/runtime'
import { type SystemOptions, systemCapabilities } from '../shared/system-capabilities'
import { bun } from './bun-global'
import { createBunWsSink } from './ws-sink'

/**
 * Bun's capabilities for the core: native synchronous SHA-256, hono/bun upgrades (served with
 * `bunWebSocket` from `serveGateway`), a drain-driven WebSocket sink, and the system
 * capabilities shared with Node (SSRF-guarded fetches, skills and extensions on disk, archives,
 * stdio MCP servers, the job sandbox), which Bun runs through its `node:` modules. SSE uses the
 * core's Web Streams sink, which Bun runs natively.
 *
 * @example
 * ```ts
 * import { createGateway } from 'agent-gateway'
 * import { createRuntime } from 'agent-gateway/bun'
 *
 * const gateway = await createGateway({ runtime: createRuntime({ jobIsolation: 'process' }) })
 * ```
 */
export function createRuntime(options: SystemOptions = {}): RuntimeCapabilities {
  const { SHA256 } = bun()
  return {
    name: 'bun',
    // The socket's peer, for the trusted proxy check (undefined when served some other way).
    remoteAddress: (c) => {
      try {
        return getConnInfo(c).remote.address
      } catch {
        return undefined
      }
    },
    sha256: (input) => SHA256.hash(input),
    upgradeWebSocket,
    wsSink: (ws, { bufferBytes }) => createBunWsSink(ws, bufferBytes),
    ...systemCapabilities(options),
  }
}
