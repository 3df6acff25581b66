import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js'
import type { JsonSchema, ToolResult } from '../../tools/tool'
import type { McpTransportSpec } from '../../protocol/extensions'
import { VERSION } from '../../version'
import type { McpStdioTransport, SpawnMcpStdio } from '../../ports/mcp-stdio'
import { errorMessage } from '../../lib/errors'
import { McpAuthError, McpConnectError } from './mcp-errors'

/** A tool as the MCP server describes it. */
export interface McpTool {
  name: string
  description: string
  inputSchema: JsonSchema
}

/** Text given back to the model from one tool call at most. */
const MAX_OUTPUT = 100_000
/** Tools one server may expose (a runaway list would flood every prompt). */
const MAX_TOOLS = 128

export interface McpConnectionOptions {
  spawnStdio: SpawnMcpStdio | undefined
  connectTimeoutMs: number
  /** Called once when the connection ends without `close()` (the process exited, the stream broke). */
  onLost: (reason: string) => void
  /** Called when the server says its tool list changed (after the new list is loaded). */
  onToolsChanged?: () => void
}

/** The parts of the MCP SDK a client uses. */
interface McpSdk {
  Client: typeof import('@modelcontextprotocol/sdk/client/index.js').Client
  StreamableHTTPClientTransport: typeof import('@modelcontextprotocol/sdk/client/streamableHttp.js').StreamableHTTPClientTransport
  StreamableHTTPError: typeof import('@modelcontextprotocol/sdk/client/streamableHttp.js').StreamableHTTPError
  ToolListChangedNotificationSchema: typeof import('@modelcontextprotocol/sdk/types.js').ToolListChangedNotificationSchema
}

let sdk: Promise<McpSdk> | undefined
/**
 * The SDK is read when the first extension connects: with its JSON-schema validator it is the
 * largest code the gateway has, and most starts never connect one.
 */
const loadSdk = (): Promise<McpSdk> =>
  (sdk ??= Promise.all([
    import('@modelcontextprotocol/sdk/client/index.js'),
    import('@modelcontextprotocol/sdk/client/streamableHttp.js'),
    import('@modelcontextprotocol/sdk/types.js'),
  ]).then(([client, http, types]) => ({
    Client: client.Client,
    StreamableHTTPClientTransport: http.StreamableHTTPClientTransport,
    StreamableHTTPError: http.StreamableHTTPError,
    ToolListChangedNotificationSchema: types.ToolListChangedNotificationSchema,
  })))

/**
 * One live MCP client session (the SDK's `Client`) over stdio or Streamable HTTP: connects,
 * lists tools (following pagination), calls them with the turn's abort signal (the SDK sends
 * `notifications/cancelled` when it fires), and reports an unexpected end once.
 */
export class McpConnection {
  #tools: McpTool[] = []
  #closing = false
  #lost = false

  private constructor(
    private readonly sdk: McpSdk,
    private readonly client: Client,
    private readonly transport: Transport,
    private readonly options: McpConnectionOptions,
  ) {}

  static async open(spec: McpTransportSpec, options: McpConnectionOptions & { cwd?: string | undefined }): Promise<McpConnection> {
    const mcp = await loadSdk()
    let transport: Transport
    if (spec.type === 'stdio') {
      if (!options.spawnStdio) throw new McpConnectError('This runtime cannot start local (stdio) MCP servers')
      transport = await options.spawnStdio({ command: spec.command, args: spec.args, env: spec.env, cwd: options.cwd })
    } else {
      let url: URL
      try {
        url = new URL(spec.url)
      } catch {
        throw new McpConnectError(`Not a valid MCP server URL: ${spec.url}`)
      }
      // Redirects are not followed: credentials in headers must not travel to another host.
      transport = new mcp.StreamableHTTPClientTransport(url, { requestInit: { headers: spec.headers, redirect: 'error' } })
    }
    const client = new mcp.Client({ name: 'agent-gateway', version: VERSION }, { capabilities: {} })
    const connection = new McpConnection(mcp, client, transport, options)
    client.onclose = () => connection.#ended('the server closed the connection')
    try {
      await client.connect(transport, { timeout: options.connectTimeoutMs })
      await connection.#loadTools()
    } catch (error) {
      connection.#closing = true
      await client.close().catch(() => undefined)
      throw connection.#explain(error, 'could not connect')
    }
    if (client.getServerCapabilities()?.tools?.listChanged) {
      client.setNotificationHandler(mcp.ToolListChangedNotificationSchema, async () => {
        await connection.#loadTools().catch(() => undefined)
        options.onToolsChanged?.()
      })
    }
    return connection
  }

  get tools(): readonly McpTool[] {
    return this.#tools
  }

  get alive(): boolean {
    return !this.#lost && !this.#closing
  }

  /** Calls a tool; an MCP error result, a protocol error or a timeout becomes an error result. */
  async callTool(name: string, args: unknown, options: { signal: AbortSignal; timeoutMs: number }): Promise<ToolResult> {
    // The SDK never removes its abort listener: give it a per-call signal, not the turn's own.
    const call = new AbortController()
    const onAbort = () => call.abort(options.signal.reason)
    if (options.signal.aborted) call.abort(options.signal.reason)
    else options.signal.addEventListener('abort', onAbort, { once: true })
    try {
      const result = await this.client.callTool({ name, arguments: (args ?? {}) as Record<string, unknown> }, undefined, {
        signal: call.signal,
        timeout: options.timeoutMs,
        resetTimeoutOnProgress: true,
        maxTotalTimeout: options.timeoutMs * 5,
      })
      return { output: renderContent(result as CallResult), ...(result.isError ? { isError: true } : {}) }
    } catch (error) {
      if (options.signal.aborted) return { output: 'Cancelled', isError: true }
      // A broken HTTP stream: the server is gone until activated again.
      if (error instanceof TypeError || (error instanceof this.sdk.StreamableHTTPError && (error.code === undefined || error.code >= 500))) {
        this.#ended(`the server stopped answering (${error.message})`)
      }
      return { output: `The MCP server failed: ${this.#explain(error, 'call failed').message}`, isError: true }
    } finally {
      options.signal.removeEventListener('abort', onAbort)
    }
  }

  async close(): Promise<void> {
    this.#closing = true
    await this.client.close().catch(() => undefined)
  }

  async #loadTools(): Promise<void> {
    const tools: McpTool[] = []
    let cursor: string | undefined
    do {
      const page = await this.client.listTools(cursor ? { cursor } : undefined, { timeout: this.options.connectTimeoutMs })
      for (const tool of page.tools) {
        if (tools.length >= MAX_TOOLS) break
        tools.push({ name: tool.name, description: (tool.description ?? tool.title ?? '').slice(0, 2000), inputSchema: tool.inputSchema as JsonSchema })
      }
      cursor = page.nextCursor
    } while (cursor && tools.length < MAX_TOOLS)
    this.#tools = tools
  }

  #ended(reason: string): void {
    if (this.#closing || this.#lost) return
    this.#lost = true
    const tail = stderrOf(this.transport)
    this.options.onLost(tail ? `${reason}: ${tail}` : reason)
    void this.client.close().catch(() => undefined)
  }

  #explain(error: unknown, what: string): Error {
    if (error instanceof this.sdk.StreamableHTTPError && (error.code === 401 || error.code === 403)) return new McpAuthError(`the server refused the credentials (HTTP ${error.code})`)
    const message = errorMessage(error)
    const tail = stderrOf(this.transport)
    return new McpConnectError(`${what}: ${message}${tail ? ` (server output: ${tail.slice(-500)})` : ''}`)
  }
}

const stderrOf = (transport: Transport): string => (typeof (transport as Partial<McpStdioTransport>).stderrTail === 'function' ? (transport as McpStdioTransport).stderrTail() : '')

type CallResult = {
  content?: Array<{ type: string; text?: string; mimeType?: string; data?: string; resource?: { uri?: string; text?: string; mimeType?: string }; uri?: string; name?: string }>
  structuredContent?: unknown
  toolResult?: unknown
}

/** MCP content blocks as text for the model: text as is, other media described, capped. */
function renderContent(result: CallResult): string {
  const parts: string[] = []
  for (const block of result.content ?? []) {
    if (block.type === 'text' && typeof block.text === 'string') parts.push(block.text)
    else if (block.type === 'image' || block.type === 'audio') parts.push(`[${block.type}: ${block.mimeType ?? 'unknown type'}, ${Math.floor(((block.data?.length ?? 0) * 3) / 4)} bytes]`)
    else if (block.type === 'resource') parts.push(block.resource?.text ?? `[resource: ${block.resource?.uri ?? 'unknown'}]`)
    else if (block.type === 'resource_link') parts.push(`[resource link: ${block.name ?? ''} ${block.uri ?? ''}]`.trim())
  }
  if (parts.length === 0 && result.structuredContent !== undefined) parts.push(JSON.stringify(result.structuredContent))
  if (parts.length === 0 && result.toolResult !== undefined) parts.push(JSON.stringify(result.toolResult))
  const text = parts.join('\n')
  return text.length > MAX_OUTPUT ? `${text.slice(0, MAX_OUTPUT)}\n[output truncated at ${MAX_OUTPUT} characters]` : text
}
