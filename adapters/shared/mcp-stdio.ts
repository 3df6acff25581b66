import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import type { McpStdioParams, McpStdioTransport } from '../../src/ports/mcp-stdio'

/** Bytes of a server's stderr kept for error messages (the rest is dropped as it arrives). */
const STDERR_TAIL_BYTES = 4096
/** A single JSON-RPC message larger than this closes the connection instead of growing memory. */
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024

/**
 * Starts an MCP server as a child process with the SDK's stdio transport. The child gets only
 * the SDK's minimal inherited environment (PATH, HOME, USER, SHELL, TERM, LOGNAME) plus the
 * manifest's variables: the gateway's own secrets never reach it. Its stderr is kept as a short
 * tail, so "the server crashed" can say why.
 */
export function spawnMcpStdio(params: McpStdioParams): McpStdioTransport {
  const transport = new StdioClientTransport({
    command: params.command,
    args: params.args,
    env: params.env,
    ...(params.cwd ? { cwd: params.cwd } : {}),
    stderr: 'pipe',
    maxBufferSize: MAX_MESSAGE_BYTES,
  } as ConstructorParameters<typeof StdioClientTransport>[0])
  let tail = ''
  transport.stderr?.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES)
  })
  return Object.assign(transport, { stderrTail: () => tail.trim() })
}
