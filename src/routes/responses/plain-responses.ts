import type { Context } from 'hono'
import { randomHex } from '../../lib/crypto'
import { GatewayError } from '../../lib/errors'
import type { LlmStreamEvent, Usage } from '../../llm/messages'
import { toChatRequest } from '../../llm/openai-compat'
import { asProxyError, nextEvent } from '../../llm/openai-completion'
import type { LlmProvider } from '../../llm/provider'
import type { GatewayEnv } from '../../ports/env'
import type { OpenAIMessageIn } from '../../protocol/openai'
import type { ResponsesRequest } from '../../protocol/responses'
import type { RouteDeps } from '../deps'
import { ResponseBuilder } from './response-builder'
import type { ResponseChains } from './response-chains'
import { openResponseStream } from './response-stream'
import { asChatCompletion, inputMessages } from './responses-input'

/** A plain-model response's id: no thread in it (an agent response's id names its thread). */
export const plainResponseId = (): string => `resp_${randomHex(24)}`

/**
 * `POST /v1/responses` for a provider model: the request translated to the provider's own chat
 * call (chat completions, or Anthropic's messages, through the same `LlmProvider` the relay and
 * the agent use), its stream answered as Responses API events. Usage is metered per user
 * (purpose `proxy`); `previous_response_id` continues a chain kept by `ResponseChains`.
 */
export async function plainResponse(c: Context<GatewayEnv>, d: RouteDeps, llm: LlmProvider, body: ResponsesRequest, chains: ResponseChains): Promise<Response> {
  const userId = c.get('principal').userId
  let history: OpenAIMessageIn[] = []
  if (body.previous_response_id) {
    const chain = chains.get(userId, body.previous_response_id)
    if (!chain) throw new GatewayError(404, 'previous_response_not_found', `Previous response with id '${body.previous_response_id}' not found.`, { openai: { type: 'invalid_request_error', code: 'previous_response_not_found' } })
    history = chain
  }
  const chat = asChatCompletion(body, history)
  const request = toChatRequest(chat, d.config.llm.maxTokens)
  await d.services.usage?.assertWithinBudget(userId)
  const controller = new AbortController()
  c.req.raw.signal?.addEventListener('abort', () => controller.abort(), { once: true })
  const iterator = llm.stream(request, { signal: controller.signal })[Symbol.asyncIterator]()
  // The first event comes before any byte is sent, so upstream failures are plain HTTP errors.
  const first = await nextEvent(iterator)
  const id = plainResponseId()
  const remember = (text: string, toolCalls: Array<{ id: string; name: string; arguments: string }>) => {
    const answer: OpenAIMessageIn = { role: 'assistant', content: text, ...(toolCalls.length ? { tool_calls: toolCalls.map((t) => ({ id: t.id, type: 'function', function: { name: t.name, arguments: t.arguments } })) } : {}) }
    chains.set(userId, id, [...history, ...inputMessages(body.input), answer])
  }
  const record = (model: string, usage: Usage) =>
    d.services.usage?.record({ userId, model, inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, costUsd: llm.cost(model, usage), purpose: 'proxy' }).catch(() => undefined)

  if (!body.stream) {
    const builder = new ResponseBuilder(id, body, request.model ?? llm.model, d.clock.now())
    const done = await drain(iterator, first, builder)
    await record(done.model, done.usage)
    remember(done.text, done.toolCalls)
    return c.json(builder.response)
  }
  const stream = openResponseStream(c, d)
  const builder = new ResponseBuilder(id, body, request.model ?? llm.model, d.clock.now(), stream.send)
  stream.sink.onClose(() => {
    controller.abort()
    void iterator.return?.()
  })
  void (async () => {
    try {
      const done = await drain(iterator, first, builder)
      await record(done.model, done.usage)
      remember(done.text, done.toolCalls)
    } catch (error) {
      const failure = error instanceof GatewayError ? error : asProxyError(error)
      if (!stream.gone()) builder.fail(failure.openai?.code ?? failure.code, failure.message)
    }
    stream.sink.end()
  })()
  return stream.response
}

/** Reads the provider's stream into the builder, to its `done` (whose model and usage it returns). */
async function drain(iterator: AsyncIterator<LlmStreamEvent>, first: IteratorResult<LlmStreamEvent>, builder: ResponseBuilder): Promise<Extract<LlmStreamEvent, { type: 'done' }>> {
  builder.response.status = 'in_progress'
  builder.start()
  let result = first
  for (;;) {
    if (result.done) throw asProxyError(new Error('The model provider ended its stream without an answer'))
    const event = result.value
    if (event.type === 'text') builder.text(event.delta)
    else if (event.type === 'tool_call_delta') builder.functionCallDelta(event.index, event)
    else {
      builder.response.model = event.model
      builder.complete(event.usage, event.finishReason === 'length' ? { incomplete: 'max_output_tokens' } : {})
      return event
    }
    result = await nextEvent(iterator)
  }
}
