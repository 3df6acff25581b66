import type OpenAI from 'openai'
import type { LlmConfig } from '../../config/gateway-config'

/** Turns texts into vectors. The default speaks the OpenAI-compatible `/v1/embeddings` endpoint. */
export interface EmbeddingProvider {
  readonly model: string
  /** One vector per text, in order; `tokens` as the provider counted them (0 if it did not say). */
  embed(texts: string[], options?: { signal?: AbortSignal; timeoutMs?: number }): Promise<{ vectors: number[][]; tokens: number }>
}

/** The provider refused these inputs (400/413/422): retrying the same texts will not help. */
export class EmbeddingInputError extends Error {
  override name = 'EmbeddingInputError'
}

/**
 * Embeddings through the official `openai` SDK against the configured provider (`LLM_BASE_URL`,
 * `LLM_API_KEY`, `EMBEDDING_MODEL`): OpenAI, Ollama, vLLM, LM Studio, OpenRouter... Floats are
 * requested explicitly, since several compatible servers do not implement base64 encoding.
 */
export class OpenAIEmbeddingProvider implements EmbeddingProvider {
  readonly #options: { baseURL?: string | undefined; apiKey?: string | undefined; timeoutMs?: number; maxRetries?: number; fetch?: typeof fetch }
  /** The SDK and its client, loaded on the first call: a gateway that never embeds never parses the SDK. */
  #sdk: Promise<{ OpenAI: typeof OpenAI; client: OpenAI }> | undefined

  constructor(
    readonly model: string,
    options: { baseURL?: string | undefined; apiKey?: string | undefined; timeoutMs?: number; maxRetries?: number; fetch?: typeof fetch } = {},
  ) {
    this.#options = options
  }

  #load(): Promise<{ OpenAI: typeof OpenAI; client: OpenAI }> {
    const options = this.#options
    return (this.#sdk ??= import('openai').then(({ default: OpenAI }) => ({
      OpenAI,
      client: new OpenAI({
        baseURL: options.baseURL,
        // Local servers (Ollama, vLLM) need no key, but the SDK refuses to start without one.
        apiKey: options.apiKey || 'unused',
        timeout: options.timeoutMs ?? 60_000,
        maxRetries: options.maxRetries ?? 2,
        ...(options.fetch ? { fetch: options.fetch } : {}),
      }),
    })))
  }

  /** The provider for a gateway configuration, or undefined when no embedding model is set. */
  static fromConfig(llm: LlmConfig): OpenAIEmbeddingProvider | undefined {
    if (!llm.embeddingModel) return undefined
    const baseURL = llm.baseUrl ?? (llm.backend === 'ollama' ? 'http://127.0.0.1:11434/v1' : undefined)
    return new OpenAIEmbeddingProvider(llm.embeddingModel, { baseURL, apiKey: llm.apiKey })
  }

  async embed(texts: string[], options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<{ vectors: number[][]; tokens: number }> {
    const { OpenAI: Sdk, client } = await this.#load()
    let response: OpenAI.CreateEmbeddingResponse
    try {
      response = await client.embeddings.create(
        { model: this.model, input: texts, encoding_format: 'float' },
        { ...(options.signal ? { signal: options.signal } : {}), ...(options.timeoutMs ? { timeout: options.timeoutMs, maxRetries: 0 } : {}) },
      )
    } catch (error) {
      if (error instanceof Sdk.APIError && (error.status === 400 || error.status === 413 || error.status === 422)) {
        throw new EmbeddingInputError(error.message, { cause: error })
      }
      throw error
    }
    const vectors: number[][] = new Array(texts.length)
    for (const item of response.data ?? []) {
      if (Number.isInteger(item.index) && item.index >= 0 && item.index < texts.length && Array.isArray(item.embedding)) {
        vectors[item.index] = item.embedding
      }
    }
    for (let i = 0; i < texts.length; i++) {
      if (!vectors[i]) throw new Error(`embedding provider returned no vector for input ${i}`)
    }
    return { vectors, tokens: response.usage?.total_tokens ?? 0 }
  }
}
