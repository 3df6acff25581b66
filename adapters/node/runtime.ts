import { createHash } from 'node:crypto'
import type { ServerResponse } from 'node:http'
import { upgradeWebSocket } from '@hono/node-server'
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response'
import type { RuntimeCapabilities } from '../../src/index'
import { createNodeSseSink } from './sse-sink'
import { createNodeWsSink } from './ws-sink'
import { fetchPinned, resolveHost } from './pinned-fetch'
import { unpackArchive } from './archive'
import { openNodeDirectory } from './directory'
import { spawnMcpStdio } from './mcp-stdio'

/** Node's capabilities for the core: sync SHA-256, `ws` upgrades, direct-to-socket sinks, DNS and pinned HTTP for `http_fetch`. */
export function createNodeRuntime(): RuntimeCapabilities {
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
    resolveHost,
    fetchPinned,
    openDirectory: openNodeDirectory,
    unpackArchive,
    spawnMcpStdio,
  }
}
