import { LruMap } from '../../lib/lru'
import type { OpenAIMessageIn } from '../../protocol/openai'

/** Plain-model chains kept at most, and the largest one kept (JSON characters): memory stays bounded. */
const MAX_CHAINS = 500
const MAX_CHAIN_CHARS = 256 * 1024

/**
 * The conversations behind plain-model responses, so `previous_response_id` continues one: the
 * messages sent and the answer, by response id, per user (another user's id is unknown). Kept in
 * this process, the most recent `MAX_CHAINS`; the agent's responses continue durable threads instead.
 */
export class ResponseChains {
  readonly #chains = new LruMap<string, { userId: string; messages: OpenAIMessageIn[] }>(MAX_CHAINS)

  get(userId: string, responseId: string): OpenAIMessageIn[] | undefined {
    const chain = this.#chains.get(responseId)
    return chain && chain.userId === userId ? chain.messages : undefined
  }

  set(userId: string, responseId: string, messages: OpenAIMessageIn[]): void {
    if (JSON.stringify(messages).length > MAX_CHAIN_CHARS) return
    this.#chains.set(responseId, { userId, messages })
  }
}
