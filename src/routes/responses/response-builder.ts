import { randomHex } from '../../lib/crypto'
import type { ResponseObject, ResponseOutputItem, ResponsesRequest } from '../../protocol/responses'

/** Where the builder's stream events go (an SSE body), or nowhere for a non-streamed answer. */
export type ResponseEventSink = (type: string, payload: Record<string, unknown>) => void

type Usage = { inputTokens: number; outputTokens: number }

/**
 * One Responses API answer as it is produced: the `response` object and, when streamed, the
 * events the official SDK accumulates it from, in its order (`response.created`,
 * `response.in_progress`, `response.output_item.added`, `response.content_part.added`,
 * `response.output_text.delta`..., the matching `.done` events, `response.completed`), each with
 * its `sequence_number`.
 */
export class ResponseBuilder {
  readonly response: ResponseObject
  #sequence = 0
  /** The message item being written, and its text so far. */
  #message: { index: number; id: string; text: string } | undefined
  /** Client function calls being streamed, by the provider's call index. */
  readonly #calls = new Map<number, { index: number; item: Extract<ResponseOutputItem, { type: 'function_call' }> }>()

  constructor(
    id: string,
    request: ResponsesRequest,
    model: string,
    createdAtMs: number,
    private readonly send: ResponseEventSink = () => undefined,
  ) {
    this.response = {
      id,
      object: 'response',
      created_at: Math.floor(createdAtMs / 1000),
      status: 'in_progress',
      model,
      output: [],
      previous_response_id: request.previous_response_id ?? null,
      instructions: request.instructions ?? null,
      error: null,
      incomplete_details: null,
      usage: null,
      parallel_tool_calls: true,
      tool_choice: request.tool_choice ?? 'auto',
      tools: request.tools ?? [],
      metadata: request.metadata ?? {},
      temperature: request.temperature ?? null,
      top_p: null,
      max_output_tokens: request.max_output_tokens ?? null,
      store: request.store ?? true,
      text: { format: { type: 'text' } },
      truncation: 'disabled',
    }
  }

  #emit(type: string, payload: Record<string, unknown>): void {
    this.send(type, { type, sequence_number: this.#sequence++, ...payload })
  }

  #snapshot(): ResponseObject {
    return structuredClone(this.response)
  }

  start(): void {
    this.#emit('response.created', { response: this.#snapshot() })
    this.#emit('response.in_progress', { response: this.#snapshot() })
  }

  text(delta: string): void {
    if (!delta) return
    let message = this.#message
    if (!message) {
      message = this.#message = { index: this.response.output.length, id: `msg_${randomHex(16)}`, text: '' }
      this.response.output.push({ type: 'message', id: message.id, status: 'in_progress', role: 'assistant', content: [] })
      this.#emit('response.output_item.added', { output_index: message.index, item: { type: 'message', id: message.id, status: 'in_progress', role: 'assistant', content: [] } })
      this.#emit('response.content_part.added', { item_id: message.id, output_index: message.index, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } })
    }
    message.text += delta
    this.#emit('response.output_text.delta', { item_id: message.id, output_index: message.index, content_index: 0, delta, logprobs: [] })
  }

  /** Ends the message being written, if any (before another item, or at the end). */
  closeText(): void {
    const message = this.#message
    if (!message) return
    this.#message = undefined
    const part = { type: 'output_text' as const, text: message.text, annotations: [] }
    const item: ResponseOutputItem = { type: 'message', id: message.id, status: 'completed', role: 'assistant', content: [part] }
    this.response.output[message.index] = item
    this.#emit('response.output_text.done', { item_id: message.id, output_index: message.index, content_index: 0, text: message.text, logprobs: [] })
    this.#emit('response.content_part.done', { item_id: message.id, output_index: message.index, content_index: 0, part })
    this.#emit('response.output_item.done', { output_index: message.index, item })
  }

  /** A fragment of a client function call from the provider (OpenAI's streaming shape). */
  functionCallDelta(index: number, fragment: { id?: string | undefined; name?: string | undefined; arguments?: string | undefined }): void {
    let call = this.#calls.get(index)
    if (!call) {
      this.closeText()
      const item = { type: 'function_call' as const, id: `fc_${randomHex(16)}`, call_id: fragment.id ?? `call_${randomHex(12)}`, name: fragment.name ?? '', arguments: '', status: 'in_progress' }
      call = { index: this.response.output.length, item }
      this.#calls.set(index, call)
      this.response.output.push(item)
      this.#emit('response.output_item.added', { output_index: call.index, item: { ...item } })
    } else if (fragment.name) call.item.name += fragment.name
    if (fragment.arguments) {
      call.item.arguments += fragment.arguments
      this.#emit('response.function_call_arguments.delta', { item_id: call.item.id, output_index: call.index, delta: fragment.arguments })
    }
  }

  #closeCalls(): void {
    for (const { index, item } of this.#calls.values()) {
      item.status = 'completed'
      this.#emit('response.function_call_arguments.done', { item_id: item.id, output_index: index, name: item.name, arguments: item.arguments })
      this.#emit('response.output_item.done', { output_index: index, item: { ...item } })
    }
    this.#calls.clear()
  }

  /** A whole item at once (the agent's tool call once it ran, an approval request). */
  item(item: ResponseOutputItem): void {
    this.closeText()
    const index = this.response.output.length
    this.response.output.push(item)
    this.#emit('response.output_item.added', { output_index: index, item: { ...item, ...(item.type === 'mcp_call' ? { status: 'in_progress' } : {}) } })
    this.#emit('response.output_item.done', { output_index: index, item })
  }

  complete(usage: Usage, options: { incomplete?: string } = {}): ResponseObject {
    this.closeText()
    this.#closeCalls()
    this.response.status = options.incomplete ? 'incomplete' : 'completed'
    if (options.incomplete) this.response.incomplete_details = { reason: options.incomplete }
    this.response.usage = {
      input_tokens: usage.inputTokens,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: usage.outputTokens,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: usage.inputTokens + usage.outputTokens,
    }
    this.response.output_text = this.outputText()
    this.#emit(options.incomplete ? 'response.incomplete' : 'response.completed', { response: this.#snapshot() })
    return this.response
  }

  fail(code: string, message: string): ResponseObject {
    this.closeText()
    this.#closeCalls()
    this.response.status = 'failed'
    this.response.error = { code, message }
    this.#emit('response.failed', { response: this.#snapshot() })
    return this.response
  }

  outputText(): string {
    return this.response.output.flatMap((item) => (item.type === 'message' ? item.content.map((c) => c.text) : [])).join('')
  }
}
