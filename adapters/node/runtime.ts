import { createHash } from 'node:crypto'
import type { ServerResponse } from 'node:http'
import { upgradeWebSocket } from '@hono/node-server'
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response'
import type { RuntimeCapabilities } from '../../src/index'
import { createNodeSandbox } from './sandbox/index'
import { createNodeSseSink } from './sse-sink'
import { createNodeWsSink } from './ws-sink'

/**
 * Node's capabilities for the core: sync SHA-256, `ws` upgrades, direct-to-socket sinks, and the
 * job sandbox (confined files, process groups, bubblewrap when it works here).
 */
export function createNodeRuntime(options: { jobIsolation?: 'auto' | 'bwrap' | 'process' } = {}): RuntimeCapabilities {
  return {
    name: 'node',
    sha256: (input) => createHash('sha256').update(input).digest(),
    upgradeWebSocket,
    openSse: (c, headers, { bufferBytes }) => {
      const res = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing
      if (!res || typeof res.writeHead !== 'function') return undefined
      return { sink: createNodeSseSink(res, headers, bufferBytes), response: RESPONSE_ALREADY_SENT }
    },
    wsSink: (ws, { bufferBytes }) => createNodeWsSink(ws, bufferBytes),
    sandbox: createNodeSandbox(options.jobIsolation),
  }
}
