import type { RuntimeCapabilities } from '../../src/ports/runtime'
import { openDirectory } from './directory'
import { fetchPinned, resolveHost } from './pinned-fetch'
import { createSandbox } from './sandbox/index'

/** The capabilities every adapter gets from the Node APIs (`node:dns`, `http`, `fs`, `child_process`...). */
export type SystemCapabilities = Required<Pick<RuntimeCapabilities, 'resolveHost' | 'fetchPinned' | 'openDirectory' | 'unpackArchive' | 'spawnMcpStdio' | 'sandbox'>>

export interface SystemOptions {
  /** `GATEWAY_JOB_ISOLATION`: `auto` (bubblewrap when it works here), `bwrap` or `process`. */
  jobIsolation?: 'auto' | 'bwrap' | 'process' | undefined
}

/**
 * DNS and pinned HTTP(S) for the SSRF guard, the data-dir filesystem, skill archive unpacking,
 * stdio MCP servers and the job sandbox, written once against the `node:` modules. Node, Bun and
 * Deno run the same code: Bun and Deno implement every module used here with Node's semantics,
 * down to the details the guards rely on (an `http.request` `lookup` pinning the connected
 * address while TLS checks the URL's host, `O_NOFOLLOW`, `/proc/self/fd`, `detached` children
 * as process-group leaders, extra file descriptors for bubblewrap's `--info-fd`). The runtime
 * contract suite (test/runtimes) checks each of them on all three. The archive readers (tar,
 * yauzl) and the MCP SDK's stdio transport are imported when first used: most starts need neither.
 *
 * @example
 * ```ts
 * const gateway = await createGateway({ runtime: { name: 'my-host', ...systemCapabilities({ jobIsolation: 'auto' }) } })
 * ```
 */
export function systemCapabilities(options: SystemOptions = {}): SystemCapabilities {
  return {
    resolveHost,
    fetchPinned,
    openDirectory,
    unpackArchive: async (bytes, format, limits) => (await import('./archive')).unpackArchive(bytes, format, limits),
    spawnMcpStdio: async (params) => (await import('./mcp-stdio')).spawnMcpStdio(params),
    sandbox: createSandbox(options.jobIsolation),
  }
}
