import type { LlmConfig } from '../config/gateway-config'
import { PriceTable } from './pricing'
import type { LlmProvider } from './provider'
import type { StreamRequest } from '../ports/stream-request'

const DEFAULT_MODEL = { openai_compatible: 'gpt-4o-mini', openai: 'gpt-4o-mini', anthropic: 'claude-sonnet-4-6', ollama: 'llama3.2' } as const
const OPENAI_URL = 'https://api.openai.com/v1'
const OLLAMA_URL = 'http://127.0.0.1:11434/v1'

/**
 * The provider `config.llm` describes (env `LLM_BACKEND`, `LLM_BASE_URL`, `LLM_API_KEY`,
 * `LLM_MODEL`), or undefined when nothing is configured: `openai_compatible` needs a base URL or
 * a key (then it is OpenAI), `openai` and `anthropic` need a key, `ollama` works with defaults.
 * Each SDK is loaded only when its backend is used (they take most of a second to import).
 *
 * @example
 * ```ts
 * const llm = await createLlmProvider(LlmConfig.parse({ backend: 'ollama', model: 'llama3.2' }))
 * for await (const event of llm!.stream({ messages: [{ role: 'user', content: 'Hi' }] })) if (event.type === 'text') print(event.delta)
 * ```
 */
export async function createLlmProvider(
  config: LlmConfig,
  options: { fetch?: typeof fetch; streamRequest?: StreamRequest | undefined } = {},
): Promise<LlmProvider | undefined> {
  const policy = {
    timeoutMs: config.timeoutMs,
    maxRetries: config.maxRetries,
    retryBaseDelayMs: config.retryBaseDelayMs,
    maxRetryDelayMs: config.maxRetryDelayMs,
  }
  const model = config.model ?? DEFAULT_MODEL[config.backend]
  const common = { model, policy, vision: config.vision, maxTokens: config.maxTokens, fetch: options.fetch }
  const openaiOnly = { streamRequest: options.streamRequest }
  switch (config.backend) {
    case 'anthropic': {
      if (!config.apiKey) return undefined
      const { AnthropicProvider } = await import('./anthropic-provider')
      return new AnthropicProvider({ ...common, apiKey: config.apiKey, baseUrl: config.baseUrl, prices: new PriceTable(config.prices) })
    }
    case 'ollama':
      return new (await openai())({ ...common, ...openaiOnly, backend: 'ollama', baseUrl: config.baseUrl ?? OLLAMA_URL, apiKey: config.apiKey, prices: new PriceTable(config.prices, true) })
    case 'openai':
      if (!config.apiKey) return undefined
      return new (await openai())({ ...common, ...openaiOnly, backend: 'openai', baseUrl: config.baseUrl ?? OPENAI_URL, apiKey: config.apiKey, prices: new PriceTable(config.prices) })
    case 'openai_compatible':
      if (!config.baseUrl && !config.apiKey) return undefined
      return new (await openai())({ ...common, ...openaiOnly, backend: 'openai_compatible', baseUrl: config.baseUrl ?? OPENAI_URL, apiKey: config.apiKey, prices: new PriceTable(config.prices) })
  }
}

const openai = async () => (await import('./openai-provider')).OpenAIProvider
