import type { Tool, ToolProvider } from './tool'

/**
 * Every tool a user can use, gathered from providers (built-ins, memory, jobs, routines, the
 * user's active extensions). Providers are asked on each turn, so an extension activated a
 * moment ago is there for the next message.
 */
export class ToolRegistry {
  readonly #providers = new Map<string, ToolProvider>()

  /** Adds (or replaces, by name) a provider. Returns a function that removes it. */
  addProvider(provider: ToolProvider): () => void {
    this.#providers.set(provider.name, provider)
    return () => {
      if (this.#providers.get(provider.name) === provider) this.#providers.delete(provider.name)
    }
  }

  /** The user's tools; on a name clash the first provider added wins. A failing provider is skipped. */
  async list(userId: string): Promise<Tool[]> {
    const seen = new Map<string, Tool>()
    for (const provider of this.#providers.values()) {
      let tools: Tool[]
      try {
        tools = await provider.tools(userId)
      } catch {
        continue
      }
      for (const tool of tools) if (!seen.has(tool.name)) seen.set(tool.name, tool)
    }
    return [...seen.values()]
  }

  async get(userId: string, name: string): Promise<Tool | undefined> {
    return (await this.list(userId)).find((t) => t.name === name)
  }
}
