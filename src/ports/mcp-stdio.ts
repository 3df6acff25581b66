import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js'

/** How to start an MCP server that speaks over stdio. */
export interface McpStdioParams {
  command: string
  args: string[]
  /**
   * The child's whole environment besides a minimal safe set (PATH, HOME, USER, SHELL, TERM,
   * LOGNAME): the gateway's own variables (tokens, keys, DATABASE_URL) are never inherited.
   */
  env: Record<string, string>
  cwd?: string | undefined
}

/** An MCP transport to a child process; `stderrTail` keeps its last lines for error messages. */
export interface McpStdioTransport extends Transport {
  stderrTail(): string
}

/**
 * Starts MCP servers as child processes (Node: the SDK's `StdioClientTransport`). May resolve
 * later: the adapters load the SDK's transport when the first server starts.
 */
export type SpawnMcpStdio = (params: McpStdioParams) => McpStdioTransport | Promise<McpStdioTransport>
