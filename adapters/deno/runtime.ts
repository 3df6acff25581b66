import { createHash } from 'node:crypto'
import { getConnInfo, upgradeWebSocket } from 'hono/deno'
import type { RuntimeCapabilities } from '../../src/ports/runtime'
import { type SystemOptions, systemCapabilities } from '../shared/system-capabilities'

/**
 * Deno's capabilities for the core: synchronous SHA-256 (Deno's node:crypto), hono/deno
 * upgrades, and the system capabilities shared with Node (SSRF-guarded fetches, skills and
 * extensions on disk, archives, stdio MCP servers, the job sandbox), which Deno runs through its
 * `node:` modules (hence `-A`). SSE and WebSocket use the core's Web Streams and generic sinks;
 * Deno's sockets expose `bufferedAmount` and ping idle peers themselves.
 *
 * @example
 * ```ts
 * import { createGateway } from 'agent-gateway'
 * import { createRuntime } from 'agent-gateway/deno'
 *
 * const gateway = await createGateway({ runtime: createRuntime({ jobIsolation: 'process' }) })
 * ```
 */
export function createRuntime(options: SystemOptions = {}): RuntimeCapabilities {
  return {
    name: 'deno',
    // The socket's peer, for the trusted proxy check (undefined when served some other way).
    remoteAddress: (c) => {
      try {
        return getConnInfo(c).remote.address
      } catch {
        return undefined
      }
    },
    sha256: (input) => createHash('sha256').update(input).digest(),
    upgradeWebSocket,
    ...systemCapabilities(options),
  }
}
