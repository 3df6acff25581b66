/** What a contributor knows about the message being answered. */
export interface ContributionRequest {
  userId: string
  threadId: string
  /** The user's message text. */
  message: string
  /** Aborted when the contributor takes too long or the turn is cancelled. */
  signal: AbortSignal
}

/**
 * Adds text to the agent's system prompt for one message: the skills subsystem contributes the
 * instructions of the skills relevant to it, others may add user preferences or project notes.
 * Return undefined (or '') to add nothing.
 */
export interface ContextContributor {
  readonly name: string
  contribute(request: ContributionRequest): string | undefined | Promise<string | undefined>
}

/**
 * The contributors the agent asks on every turn, in the order they were added. A contributor that
 * throws or takes longer than `timeoutMs` is skipped for that turn; the answer never waits on it.
 *
 * @example
 * gateway.contextContributors.add({ name: 'skills', contribute: ({ message }) => skills.instructionsFor(message) })
 */
export class ContextContributors {
  readonly #contributors = new Map<string, ContextContributor>()

  constructor(readonly timeoutMs = 2_000) {}

  /** Adds (or replaces, by name) a contributor. Returns a function that removes it. */
  add(contributor: ContextContributor): () => void {
    this.#contributors.set(contributor.name, contributor)
    return () => {
      if (this.#contributors.get(contributor.name) === contributor) this.#contributors.delete(contributor.name)
    }
  }

  get size(): number {
    return this.#contributors.size
  }

  /** Every contribution for one message, in order, empty ones left out. */
  async collect(request: Omit<ContributionRequest, 'signal'> & { signal?: AbortSignal }): Promise<Array<{ name: string; text: string }>> {
    const all = [...this.#contributors.values()].map(async (c) => {
      const controller = new AbortController()
      const onAbort = () => controller.abort()
      request.signal?.addEventListener('abort', onAbort, { once: true })
      let timer: ReturnType<typeof setTimeout> | undefined
      try {
        const text = await Promise.race([
          Promise.resolve(c.contribute({ ...request, signal: controller.signal })),
          new Promise<undefined>((resolve) => {
            timer = setTimeout(() => {
              controller.abort()
              resolve(undefined)
            }, this.timeoutMs)
          }),
        ])
        return text?.trim() ? { name: c.name, text: text.trim() } : undefined
      } catch {
        return undefined
      } finally {
        clearTimeout(timer)
        request.signal?.removeEventListener('abort', onAbort)
      }
    })
    return (await Promise.all(all)).filter((x): x is { name: string; text: string } => x !== undefined)
  }
}
