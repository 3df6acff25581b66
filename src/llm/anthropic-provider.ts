import type Anthropic from '@anthropic-ai/sdk'
import type {
  ContentBlockParam,
  MessageCreateParamsStreaming,
  MessageParam,
  RawMessageStreamEvent,
  ToolChoice as AnthropicToolChoice,
} from '@anthropic-ai/sdk/resources/messages'
import { errorFromStatus, LlmError, scrubSecrets } from './errors'
import { type ChatRequest, contentText, type FinishReason, type LlmStreamEvent, type ToolCall, type ToolChoice } from './messages'
import type { PriceTable } from './pricing'
import { BaseProvider, type RetryPolicy } from './provider'
import { boundedStreamFetch } from './bounded-fetch'

export interface AnthropicProviderOptions {
  baseUrl?: string | undefined
  apiKey: string
  model: string
  policy: RetryPolicy
  prices: PriceTable
  vision?: boolean | undefined
  /** Anthropic requires a cap on output tokens. */
  maxTokens: number
  fetch?: typeof fetch | undefined
}

const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp'])

/** The SDK (over 1 MB of JavaScript), read by the first call or by `warm()`, not at start-up. */
let sdk: typeof import('@anthropic-ai/sdk') | undefined
const loadSdk = async (): Promise<typeof import('@anthropic-ai/sdk')> => (sdk ??= await import('@anthropic-ai/sdk'))

/** Claude through the official `@anthropic-ai/sdk` (messages API, streamed). */
export class AnthropicProvider extends BaseProvider {
  readonly backend = 'anthropic' as const
  readonly #client: () => Promise<Anthropic>
  readonly #apiKey: string
  readonly #maxTokens: number

  constructor(options: AnthropicProviderOptions) {
    super(options.model, options.policy, options.prices, options.vision ?? true)
    this.#apiKey = options.apiKey
    this.#maxTokens = options.maxTokens
    const settings = {
      apiKey: options.apiKey,
      ...(options.baseUrl ? { baseURL: options.baseUrl } : {}),
      maxRetries: 0,
      timeout: options.policy.timeoutMs,
      logLevel: 'off' as const,
      fetch: boundedStreamFetch(options.fetch ?? ((input, init) => globalThis.fetch(input, init))),
    }
    let client: Promise<Anthropic> | undefined
    this.#client = () => (client ??= loadSdk().then((m) => new m.default(settings)))
  }

  /** Loads the SDK now (the CLI calls it once it listens), so the first turn does not wait for it. */
  async warm(): Promise<void> {
    await this.#client()
  }

  protected async *attempt(request: ChatRequest, signal: AbortSignal): AsyncIterable<LlmStreamEvent> {
    const model = request.model ?? this.model
    const { system, messages } = toAnthropicMessages(request)
    const params: MessageCreateParamsStreaming = { model, messages, max_tokens: request.maxTokens ?? this.#maxTokens, stream: true }
    if (system) params.system = system
    if (request.tools?.length) {
      params.tools = request.tools.map((t) => ({ name: t.name, description: t.description, input_schema: t.parameters as { type: 'object' } }))
      if (request.toolChoice) params.tool_choice = toToolChoice(request.toolChoice)
    }
    // The current messages API has no sampling temperature; `request.temperature` is not sent.
    if (request.stop?.length) params.stop_sequences = request.stop

    const stream = await (await this.#client()).messages.create(params, { signal })
    let text = ''
    let upstreamModel = model
    let inputTokens = 0
    let outputTokens = 0
    let finish: FinishReason | undefined
    // Content blocks by index; tool_use blocks become OpenAI-style tool-call deltas numbered in order.
    const blocks = new Map<number, { call?: { index: number; id: string; name: string; arguments: string } }>()
    const calls: Array<{ id: string; name: string; arguments: string }> = []
    for await (const event of stream as AsyncIterable<RawMessageStreamEvent>) {
      switch (event.type) {
        case 'message_start':
          upstreamModel = event.message.model || model
          inputTokens = event.message.usage?.input_tokens ?? 0
          outputTokens = event.message.usage?.output_tokens ?? 0
          break
        case 'content_block_start':
          if (event.content_block.type === 'tool_use') {
            const call = { index: calls.length, id: event.content_block.id, name: event.content_block.name, arguments: '' }
            calls.push(call)
            blocks.set(event.index, { call })
            yield { type: 'tool_call_delta', index: call.index, id: call.id, name: call.name, arguments: '' }
          } else {
            blocks.set(event.index, {})
          }
          break
        case 'content_block_delta': {
          const delta = event.delta
          if (delta.type === 'text_delta' && delta.text) {
            text += delta.text
            yield { type: 'text', delta: delta.text }
          } else if (delta.type === 'input_json_delta') {
            const call = blocks.get(event.index)?.call
            if (call && delta.partial_json) {
              call.arguments += delta.partial_json
              yield { type: 'tool_call_delta', index: call.index, arguments: delta.partial_json }
            }
          }
          break
        }
        case 'message_delta':
          if (event.usage?.output_tokens !== undefined && event.usage.output_tokens !== null) outputTokens = event.usage.output_tokens
          if (event.usage?.input_tokens) inputTokens = event.usage.input_tokens
          if (event.delta.stop_reason) finish = toFinish(event.delta.stop_reason)
          break
        default:
          break
      }
    }
    if (signal.aborted) return
    if (finish === undefined) throw new LlmError('malformed', 'The model provider ended its stream before finishing the answer')
    const toolCalls: ToolCall[] = calls.map((c) => ({ id: c.id, name: c.name, arguments: c.arguments || '{}' }))
    yield { type: 'done', text, toolCalls, finishReason: toolCalls.length ? 'tool_calls' : finish, model: upstreamModel, usage: { inputTokens, outputTokens } }
  }

  async listModels(options: { signal?: AbortSignal } = {}): Promise<string[]> {
    try {
      const ids: string[] = []
      const client = await this.#client()
      for await (const model of client.models.list({}, { signal: options.signal, timeout: this.policy.timeoutMs })) ids.push(model.id)
      return ids
    } catch (error) {
      throw this.toLlmError(error)
    }
  }

  protected toLlmError(error: unknown): LlmError {
    if (error instanceof LlmError) return error
    // Until the SDK is loaded, none of its errors can exist.
    const fromSdk = sdk && this.#sdkError(sdk, error)
    if (fromSdk) return fromSdk
    if (error instanceof SyntaxError) return new LlmError('malformed', 'The model provider sent a malformed stream', { cause: error })
    return new LlmError('network', `The connection to the model provider failed: ${this.#scrub(String((error as Error)?.message ?? error))}`, { cause: error })
  }

  #sdkError({ APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError }: typeof import('@anthropic-ai/sdk'), error: unknown): LlmError | undefined {
    if (error instanceof APIUserAbortError) return new LlmError('cancelled', 'The request was cancelled')
    if (error instanceof APIConnectionTimeoutError) return new LlmError('timeout', 'The model provider did not answer in time', { retryable: false })
    if (error instanceof APIConnectionError) return new LlmError('network', `Could not reach the model provider: ${this.#scrub(error.message)}`, { cause: error })
    if (error instanceof APIError && error.status !== undefined) {
      const body = error.error as { error?: { message?: unknown; type?: unknown } } | undefined
      const message = typeof body?.error?.message === 'string' ? body.error.message : error.message
      // 529 = overloaded: a server error worth retrying.
      return errorFromStatus(error.status, this.#scrub(message), error.headers, typeof body?.error?.type === 'string' ? body.error.type : null)
    }
    if (error instanceof APIError) return new LlmError('server', `The model provider reported an error: ${this.#scrub(error.message)}`)
    return undefined
  }

  #scrub(text: string): string {
    return scrubSecrets(text, [this.#apiKey])
  }
}

function toFinish(reason: string): FinishReason {
  if (reason === 'max_tokens' || reason === 'model_context_window_exceeded') return 'length'
  if (reason === 'tool_use') return 'tool_calls'
  if (reason === 'refusal') return 'content_filter'
  return 'stop'
}

function toToolChoice(choice: ToolChoice): AnthropicToolChoice {
  if (choice === 'auto') return { type: 'auto' }
  if (choice === 'none') return { type: 'none' }
  if (choice === 'required') return { type: 'any' }
  return { type: 'tool', name: choice.name }
}

const parseInput = (args: string): Record<string, unknown> => {
  try {
    const value: unknown = JSON.parse(args || '{}')
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}

/**
 * Claude wants one system text, user/assistant alternation, tool calls as `tool_use` blocks and
 * their results as `tool_result` blocks in the next user message. Adjacent same-role messages merge.
 */
function toAnthropicMessages(request: ChatRequest): { system: string; messages: MessageParam[] } {
  const system: string[] = request.system ? [request.system] : []
  const messages: MessageParam[] = []
  const push = (role: 'user' | 'assistant', blocks: ContentBlockParam[]) => {
    if (blocks.length === 0) return
    const last = messages.at(-1)
    if (last && last.role === role && Array.isArray(last.content)) (last.content as ContentBlockParam[]).push(...blocks)
    else messages.push({ role, content: blocks })
  }
  for (const m of request.messages) {
    if (m.role === 'system') system.push(m.content)
    else if (m.role === 'user') {
      if (typeof m.content === 'string') push('user', [{ type: 'text', text: m.content || ' ' }])
      else {
        const blocks: ContentBlockParam[] = []
        for (const p of m.content) {
          if (p.type === 'text') blocks.push({ type: 'text', text: p.text || ' ' })
          else if (p.data && IMAGE_TYPES.has(p.mediaType ?? '')) {
            blocks.push({ type: 'image', source: { type: 'base64', media_type: p.mediaType as 'image/png', data: p.data } })
          } else if (p.url) blocks.push({ type: 'image', source: { type: 'url', url: p.url } })
        }
        push('user', blocks.length ? blocks : [{ type: 'text', text: contentText(m.content) || ' ' }])
      }
    } else if (m.role === 'assistant') {
      const blocks: ContentBlockParam[] = []
      if (m.content) blocks.push({ type: 'text', text: m.content })
      for (const c of m.toolCalls ?? []) blocks.push({ type: 'tool_use', id: c.id, name: c.name, input: parseInput(c.arguments) })
      push('assistant', blocks.length ? blocks : [{ type: 'text', text: ' ' }])
    } else {
      push('user', [{ type: 'tool_result', tool_use_id: m.toolCallId, content: m.content }])
    }
  }
  return { system: system.join('\n\n'), messages }
}
