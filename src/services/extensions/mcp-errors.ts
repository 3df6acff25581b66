// Apart from mcp-connection.ts, which loads the MCP SDK: code that only tells failures apart
// must not load it.

/** The server answered 401: it needs (new) credentials. */
export class McpAuthError extends Error {
  override readonly name = 'McpAuthError'
}

/** Connecting failed for another reason (command missing, crashed at start, bad URL, timeout...). */
export class McpConnectError extends Error {
  override readonly name = 'McpConnectError'
}
