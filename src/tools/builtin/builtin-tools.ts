import type { RuntimeCapabilities } from '../../ports/runtime'
import type { AddressPolicy } from '../../net/public-address'
import { type Clock, systemClock } from '../../lib/time'
import type { Tool, ToolProvider } from '../tool'
import { currentTimeTool } from './current-time'
import { httpFetchTool } from './http-fetch'

export interface BuiltinToolsOptions {
  runtime: Pick<RuntimeCapabilities, 'resolveHost' | 'fetchPinned'>
  clock?: Clock
  /** Which addresses `http_fetch` may reach (public unicast only by default). */
  addressPolicy?: AddressPolicy
  fetchTimeoutMs?: number
  fetchMaxBytes?: number
}

/**
 * The `builtin` tool provider: `current_time`, and `http_fetch` when the runtime can resolve
 * hosts and connect to a pinned address (never an unguarded fetch).
 *
 * @example
 * ```ts
 * const tools = new ToolRegistry()
 * tools.addProvider(builtinTools({ runtime: createRuntime() }))
 * ```
 */
export function builtinTools(options: BuiltinToolsOptions): ToolProvider {
  const tools: Tool[] = [currentTimeTool(options.clock ?? systemClock)]
  const { resolveHost, fetchPinned } = options.runtime
  if (resolveHost && fetchPinned) {
    tools.push(httpFetchTool({ resolveHost, fetchPinned, addressPolicy: options.addressPolicy, timeoutMs: options.fetchTimeoutMs, maxBytes: options.fetchMaxBytes }))
  }
  return { name: 'builtin', tools: () => tools }
}
