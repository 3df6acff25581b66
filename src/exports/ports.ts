/**
 * `agent-gateway/ports`: the contracts a runtime adapter fills in (`RuntimeCapabilities` and what
 * its fields return: stream sinks, the streamed LLM request, the job sandbox, directories,
 * archives, stdio MCP) and the event bus a multi-instance deployment plugs in.
 *
 * @example
 * ```ts
 * import { createGateway } from 'agent-gateway'
 * import type { RuntimeCapabilities } from 'agent-gateway/ports'
 *
 * // Web APIs only: Web Streams sinks, fetch, WebCrypto; no sandbox, so no jobs.
 * const runtime: RuntimeCapabilities = { name: 'workers' }
 * const gateway = await createGateway({ runtime })
 * ```
 * @module
 */
export type { RuntimeCapabilities, PinnedRequest } from '../ports/runtime'
export type { GatewayEnv } from '../ports/env'
export { type EventSink, Once } from '../ports/event-sink'
export { PreparedEvent, sseFrame, SSE_KEEPALIVE } from '../ports/prepared-event'
export type { ByteSink } from '../ports/byte-sink'
export { BusControl, type EventBus } from '../ports/event-bus'
export type { StreamRequest, BodyReader, StreamedAnswer } from '../ports/stream-request'
export * from '../ports/sandbox'
export { type DirectoryPort, type DirectoryEntry, type FileEntry, type OpenDirectory, DirectoryExistsError, UnsafePathError, checkRelativePath } from '../ports/directory'
export { type ArchiveFormat, type ArchiveLimits, type UnpackArchive, ArchiveError, DEFAULT_ARCHIVE_LIMITS } from '../ports/archive'
export type { McpStdioParams, McpStdioTransport, SpawnMcpStdio } from '../ports/mcp-stdio'
export type { Principal, TokenResolver } from '../ports/principal'
export type { Tracing, TraceSpan, SpanAttributes } from '../ports/tracing'
export { noopTracing, noopSpan } from '../ports/tracing'
