import type { Tool } from '../../tools/tool'
import type { ExtensionManifest, McpTransportSpec } from '../../protocol/extensions'
import { McpConnection } from './mcp-connection'
import type { SpawnMcpStdio } from '../../ports/mcp-stdio'
import { extensionTools } from './extension-tools'
import { errorMessage } from '../../lib/errors'

/** What one user's extension is doing in this process. */
export interface LiveExtension {
  status: 'connecting' | 'active' | 'failed'
  tools: Tool[]
  error?: string | undefined
  connection?: McpConnection | undefined
}

export interface ExtensionRuntimeOptions {
  spawnStdio: SpawnMcpStdio | undefined
  connectTimeoutMs: number
  toolTimeoutMs: number
  /** A running server ended on its own (crash, exit, broken stream). */
  onLost(userId: string, name: string, reason: string): void
}

const key = (userId: string, name: string) => `${userId}\u0000${name}`

/**
 * The live MCP connections of every user, keyed by (user, extension). Starting or stopping one
 * extension is serialised per key, so a double click never leaves two processes behind; a crash
 * marks it `failed` and drops its tools until it is activated again.
 */
export class ExtensionRuntime {
  readonly #live = new Map<string, LiveExtension>()
  readonly #locks = new Map<string, Promise<unknown>>()
  #closed = false

  constructor(private readonly options: ExtensionRuntimeOptions) {}

  get(userId: string, name: string): LiveExtension | undefined {
    return this.#live.get(key(userId, name))
  }

  activeCount(userId: string): number {
    let n = 0
    for (const [k, live] of this.#live) if (k.startsWith(`${userId}\u0000`) && live.status === 'active') n++
    return n
  }

  /** Every tool of the user's active extensions. */
  tools(userId: string): Tool[] {
    const out: Tool[] = []
    for (const [k, live] of this.#live) if (k.startsWith(`${userId}\u0000`) && live.status === 'active') out.push(...live.tools)
    return out
  }

  /** (Re)starts an extension: the old connection (if any) is closed first. Throws what connecting threw. */
  start(userId: string, name: string, manifest: ExtensionManifest, spec: McpTransportSpec, cwd?: string): Promise<LiveExtension> {
    return this.#locked(key(userId, name), async () => {
      if (this.#closed) throw new Error('the gateway is shutting down')
      await this.#close(userId, name)
      const live: LiveExtension = { status: 'connecting', tools: [] }
      this.#live.set(key(userId, name), live)
      try {
        const connection = await McpConnection.open(spec, {
          spawnStdio: this.options.spawnStdio,
          connectTimeoutMs: this.options.connectTimeoutMs,
          cwd,
          onLost: (reason) => {
            if (this.#live.get(key(userId, name)) !== live) return
            live.status = 'failed'
            live.error = reason
            live.tools = []
            live.connection = undefined
            this.options.onLost(userId, name, reason)
          },
          onToolsChanged: () => {
            if (live.connection) live.tools = extensionTools(name, manifest, live.connection, this.options.toolTimeoutMs)
          },
        })
        if (this.#live.get(key(userId, name)) !== live || this.#closed) {
          await connection.close()
          throw new Error('the extension was stopped while it was starting')
        }
        live.connection = connection
        live.tools = extensionTools(name, manifest, connection, this.options.toolTimeoutMs)
        live.status = 'active'
        return live
      } catch (error) {
        if (this.#live.get(key(userId, name)) === live) {
          live.status = 'failed'
          live.error = errorMessage(error)
        }
        throw error
      }
    })
  }

  /** Records a failure that happened before connecting (missing setup...), for the status list. */
  markFailed(userId: string, name: string, error: string): void {
    const live = this.#live.get(key(userId, name))
    if (live?.status === 'active') return
    this.#live.set(key(userId, name), { status: 'failed', tools: [], error })
  }

  /** Stops an extension and forgets it. */
  stop(userId: string, name: string): Promise<void> {
    return this.#locked(key(userId, name), () => this.#close(userId, name))
  }

  async stopUser(userId: string): Promise<void> {
    const names = [...this.#live.keys()].filter((k) => k.startsWith(`${userId}\u0000`)).map((k) => k.slice(userId.length + 1))
    await Promise.all(names.map((name) => this.stop(userId, name)))
  }

  async closeAll(): Promise<void> {
    this.#closed = true
    await Promise.allSettled([...this.#locks.values()])
    await Promise.all([...this.#live.values()].map((live) => live.connection?.close()))
    this.#live.clear()
  }

  async #close(userId: string, name: string): Promise<void> {
    const live = this.#live.get(key(userId, name))
    this.#live.delete(key(userId, name))
    await live?.connection?.close()
  }

  #locked<T>(k: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#locks.get(k) ?? Promise.resolve()
    const next = previous.catch(() => undefined).then(fn)
    const settled = next.catch(() => undefined)
    this.#locks.set(k, settled)
    void settled.then(() => {
      if (this.#locks.get(k) === settled) this.#locks.delete(k)
    })
    return next
  }
}
