import type OpenAI from 'openai'
import type { ChatCompletionChunk, ChatCompletionCreateParamsStreaming } from 'openai/resources/chat/completions'
import type { LlmBackend } from '../config/gateway-config'
import { errorFromStatus, LlmError, scrubSecrets } from './errors'
import { type ChatRequest, estimateRequestTokens, estimateTokens, type FinishReason, type LlmStreamEvent, type ToolCall } from './messages'
import { toFinish, toOpenAIMessages, toToolChoice } from './openai-messages'
import type { PriceTable } from './pricing'
import { BaseProvider, type RetryPolicy, type StreamOptions, type UpstreamEventStream } from './provider'
import { dataOf, EventStreamDecoder, parseEventData } from './event-stream-decoder'
import type { BodyReader, StreamRequest } from '../ports/stream-request'
import { fetchStreamRequest, readText } from './fetch-stream-request'

export interface OpenAIProviderOptions {
  backend: Exclude<LlmBackend, 'anthropic'>
  baseUrl: string
  apiKey: string | undefined
  model: string
  policy: RetryPolicy
  prices: PriceTable
  vision?: boolean | undefined
  maxTokens?: number | undefined
  fetch?: typeof fetch | undefined
  /** How chat streams reach the upstream (the runtime's `streamRequest`; fetch by default). */
  streamRequest?: StreamRequest | undefined
}

/** The official SDK, read on the first call that needs it: listing models. */
let sdk: typeof import('openai') | undefined
const loadSdk = async (): Promise<typeof import('openai')> => (sdk ??= await import('openai'))

/**
 * OpenAI chat completions, streamed; the same wire format serves OpenAI, Ollama, vLLM, LM Studio
 * and OpenRouter. The agent gets parsed events (`stream`), the `/v1` proxy the upstream's own
 * bytes (`openEventStream`); both go through `BaseProvider`'s one retry and timeout policy. The
 * official SDK lists models and types the wire format; chat never needs it, so it is imported
 * only when models are listed (it is ~0.4 MB of JavaScript a gateway would otherwise parse at start).
 */
export class OpenAIProvider extends BaseProvider {
  readonly backend: Exclude<LlmBackend, 'anthropic'>
  #client: Promise<OpenAI> | undefined
  readonly #clientOptions: ConstructorParameters<typeof OpenAI>[0]
  readonly #streamRequest: StreamRequest
  readonly #completionsUrl: string
  readonly #apiKey: string | undefined
  readonly #maxTokens: number | undefined

  constructor(options: OpenAIProviderOptions) {
    super(options.model, options.policy, options.prices, options.vision)
    this.backend = options.backend
    this.#apiKey = options.apiKey
    this.#maxTokens = options.maxTokens
    const fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init))
    // The SDK lists models. Chat streams are read by us, on the runtime's `streamRequest`: the
    // SDK's fetch body, decoder and iterators added ~0.5 ms per chunk between the upstream's
    // write and the agent (bench: agent path), and 3.4x a pipe's CPU to the `/v1` relay.
    this.#clientOptions = {
      baseURL: options.baseUrl,
      // Local servers need no key; the SDK insists on one, so send none at all rather than a fake.
      apiKey: options.apiKey ?? 'unused',
      defaultHeaders: options.apiKey ? {} : { Authorization: null },
      maxRetries: 0,
      timeout: options.policy.timeoutMs,
      logLevel: 'off',
      fetch,
    }
    this.#streamRequest = options.streamRequest ?? fetchStreamRequest(fetch)
    this.#completionsUrl = `${options.baseUrl.replace(/\/+$/, '')}/chat/completions`
  }

  openEventStream(request: ChatRequest, options: StreamOptions = {}): Promise<UpstreamEventStream> {
    return this.openBody(options, (signal) => this.#open(request, signal), (error) => this.#errorEvent(error))
  }

  /** Sends a chat request; a refusal is an `LlmError` here, before any byte of an answer. */
  async #open(request: ChatRequest, signal: AbortSignal): Promise<BodyReader> {
    // `identity`: node:http does not decompress (fetch would), and a stream of tokens gains nothing from it.
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'text/event-stream', 'accept-encoding': 'identity' }
    if (this.#apiKey) headers.authorization = `Bearer ${this.#apiKey}`
    const answer = await this.#streamRequest(this.#completionsUrl, { method: 'POST', headers, body: JSON.stringify(this.#params(request)), signal })
    if (answer.status >= 400) throw this.#statusError(answer.status, await readText(answer.body), answer.headers)
    const type = answer.headers.get('content-type') ?? ''
    if (/json|html/i.test(type)) {
      answer.body.cancel()
      throw new LlmError('malformed', `The model provider answered a stream request with ${type}`, { retryable: false })
    }
    return answer.body
  }

  /** An `error` object inside the stream, worded as the SDK words one (`APIError` without a status). */
  #errorEvent(error: unknown): LlmError {
    const message = (error as { message?: unknown } | undefined)?.message
    const text = message ? (typeof message === 'string' ? message : JSON.stringify(message)) : error ? JSON.stringify(error) : '(no status code or body)'
    return new LlmError('server', `The model provider reported an error: ${this.#scrub(text)}`)
  }

  /** An error answer as the SDK would have read it: OpenAI's `{error: {message, code}}` or plain text. */
  #statusError(status: number, text: string, headers: Headers): LlmError {
    let message = text
    let code: string | undefined
    try {
      const parsed = JSON.parse(text) as { error?: { message?: unknown; code?: unknown } | string; message?: unknown }
      const error = typeof parsed.error === 'string' ? { message: parsed.error } : parsed.error
      if (typeof error?.message === 'string') message = error.message
      else if (typeof parsed.message === 'string') message = parsed.message
      if (typeof error === 'object' && typeof error.code === 'string') code = error.code
    } catch {
      // Not JSON: the text is the message (an HTML page becomes its title).
    }
    return errorFromStatus(status, this.#scrub(message || `HTTP ${status}`), headers, code)
  }

  /** The upstream request for a chat call: usage always asked for, so every call can be metered. */
  #params(request: ChatRequest): ChatCompletionCreateParamsStreaming {
    const params: ChatCompletionCreateParamsStreaming = {
      model: request.model ?? this.model,
      messages: toOpenAIMessages(request),
      stream: true,
      stream_options: { include_usage: true },
    }
    if (request.tools?.length) {
      params.tools = request.tools.map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.parameters } }))
      if (request.toolChoice) params.tool_choice = toToolChoice(request.toolChoice)
    }
    if (request.temperature !== undefined) params.temperature = request.temperature
    const maxTokens = request.maxTokens ?? this.#maxTokens
    // OpenAI's reasoning models refuse `max_tokens`; compatible servers mostly know only `max_tokens`.
    if (maxTokens !== undefined) {
      if (this.backend === 'openai') params.max_completion_tokens = maxTokens
      else params.max_tokens = maxTokens
    }
    if (request.stop?.length) params.stop = request.stop
    return params
  }

  protected async *attempt(request: ChatRequest, signal: AbortSignal): AsyncIterable<LlmStreamEvent> {
    const model = request.model ?? this.model
    const body = await this.#open(request, signal)
    const decoder = new EventStreamDecoder()
    let text = ''
    let finish: FinishReason | undefined
    let usage: { prompt_tokens: number; completion_tokens: number } | undefined
    let upstreamModel = model
    const calls: Array<{ id: string; name: string; arguments: string }> = []
    let done = false
    let complete = false
    // The chunks in a read's events, up to `[DONE]`; the body is still read to its end, which
    // frees its connection for the next call.
    const chunks = function* (events: string[]): Generator<ChatCompletionChunk> {
      for (const event of events) {
        const data = done ? undefined : dataOf(event)
        if (data === '[DONE]') done = true
        else if (data !== undefined) yield parseEventData(data) as unknown as ChatCompletionChunk
      }
    }
    try {
      while (!complete) {
        const bytes = await body.read()
        if (bytes === undefined) complete = true
        const events = bytes === undefined ? [decoder.end()].filter((e) => e !== undefined) : decoder.push(bytes)
        for (const chunk of chunks(events)) {
          const { error } = chunk as { error?: unknown }
          if (error) throw this.#errorEvent(error)
          if (chunk.model) upstreamModel = chunk.model
          if (chunk.usage) usage = chunk.usage
          const choice = chunk.choices?.[0]
          if (!choice) continue
          const delta = choice.delta ?? {}
          if (typeof delta.content === 'string' && delta.content.length > 0) {
            text += delta.content
            yield { type: 'text', delta: delta.content }
          }
          for (const part of delta.tool_calls ?? []) {
            const index = part.index ?? calls.length
            const call = (calls[index] ??= { id: '', name: '', arguments: '' })
            if (part.id) call.id = part.id
            if (part.function?.name) call.name += part.function.name
            if (part.function?.arguments) call.arguments += part.function.arguments
            yield { type: 'tool_call_delta', index, id: part.id, name: part.function?.name, arguments: part.function?.arguments ?? undefined }
          }
          if (choice.finish_reason) finish = toFinish(choice.finish_reason)
        }
      }
    } finally {
      if (!complete) body.cancel()
    }
    if (signal.aborted) return
    if (finish === undefined) throw new LlmError('malformed', 'The model provider ended its stream before finishing the answer')
    const toolCalls: ToolCall[] = calls
      .filter((c) => c && c.name)
      .map((c, i) => ({ id: c.id || `call_${i}_${crypto.randomUUID().slice(0, 8)}`, name: c.name, arguments: c.arguments || '{}' }))
    yield {
      type: 'done',
      text,
      toolCalls,
      finishReason: toolCalls.length > 0 ? 'tool_calls' : finish,
      model: upstreamModel,
      usage: usage
        ? { inputTokens: usage.prompt_tokens ?? 0, outputTokens: usage.completion_tokens ?? 0 }
        : { inputTokens: estimateRequestTokens(request), outputTokens: estimateTokens(text + toolCalls.map((c) => c.arguments).join('')), estimated: true },
    }
  }

  async listModels(options: { signal?: AbortSignal } = {}): Promise<string[]> {
    try {
      const ids: string[] = []
      this.#client ??= loadSdk().then((m) => new m.default(this.#clientOptions))
      const client = await this.#client
      for await (const model of client.models.list({ signal: options.signal, timeout: this.policy.timeoutMs })) ids.push(model.id)
      return ids
    } catch (error) {
      throw this.toLlmError(error)
    }
  }

  protected toLlmError(error: unknown): LlmError {
    if (error instanceof LlmError) return error
    // Until the SDK is loaded (models listed), none of its errors can exist.
    const fromSdk = sdk && this.#sdkError(sdk, error)
    if (fromSdk) return fromSdk
    if (error instanceof SyntaxError) return new LlmError('malformed', 'The model provider sent a malformed stream', { cause: error })
    return new LlmError('network', `The connection to the model provider failed: ${this.#scrub(causeMessage(error))}`, { cause: error })
  }

  #sdkError({ APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError }: typeof import('openai'), error: unknown): LlmError | undefined {
    if (error instanceof APIUserAbortError) return new LlmError('cancelled', 'The request was cancelled')
    if (error instanceof APIConnectionTimeoutError) return new LlmError('timeout', 'The model provider did not answer in time', { retryable: false })
    if (error instanceof APIConnectionError) return new LlmError('network', `Could not reach the model provider: ${this.#scrub(causeMessage(error))}`, { cause: error })
    if (error instanceof APIError && error.status !== undefined) {
      const body = error.error as { message?: unknown; code?: unknown } | undefined
      const message = typeof body?.message === 'string' ? body.message : error.message
      return errorFromStatus(error.status, this.#scrub(message), error.headers, typeof body?.code === 'string' ? body.code : error.code)
    }
    if (error instanceof APIError) return new LlmError('server', `The model provider reported an error: ${this.#scrub(error.message)}`)
    return undefined
  }

  #scrub(text: string): string {
    return scrubSecrets(text, [this.#apiKey])
  }
}

const causeMessage = (error: unknown): string => {
  if (!(error instanceof Error)) return String(error)
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : ''
  return `${error.message}${cause}`
}
