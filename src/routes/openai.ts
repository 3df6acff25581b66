import { type Context, Hono, type MiddlewareHandler } from 'hono'
import { LlmError } from '../agent/llm/errors'
import { estimateRequestTokens, type LlmStreamEvent, type Usage } from '../agent/llm/messages'
import { proxyError, toChatRequest } from '../agent/llm/openai-compat'
import { relayEventStream } from '../agent/llm/openai-relay'
import type { LlmProvider, UpstreamEventStream } from '../agent/llm/provider'
import type { RouteDeps } from '../gateway/deps'
import type { GatewayEnv } from '../gateway/env'
import { describe } from '../gateway/openapi-registry'
import { randomHex } from '../lib/crypto'
import { GatewayError } from '../lib/errors'
import { openSseBody } from '../hub/sse-response'
import { jsonBody } from '../middleware/validate'
import { type ChatCompletion, ChatCompletion as ChatCompletionSchema, ChatCompletionRequest, ModelList } from '../protocol/openai'

const KEEPALIVE_MS = 15_000
const encoder = new TextEncoder()

const noLlm = () =>
  new GatewayError(503, 'llm_not_configured', 'LLM provider not configured', { openai: { type: 'server_error', code: 'llm_not_configured' } })

/**
 * The OpenAI-compatible proxy: `POST /v1/chat/completions` (real streaming, or one JSON answer)
 * and `GET /v1/models`, over the gateway's own provider. Gateway-token auth, the chat rate limit,
 * the daily budget, usage recorded per user. The body's fields are whitelisted: a client cannot
 * move the upstream URL, add headers, or see the upstream key. Errors use OpenAI's shape.
 */
export const openaiRoutes = (d: RouteDeps) => {
  const llmOf = (): LlmProvider => d.services.llm ?? (() => {
    throw noLlm()
  })()
  // The contract's order: rate limit (the `/v1/*` model-call gate, before this router), then provider presence, then the body.
  const needLlm: MiddlewareHandler<GatewayEnv> = async function needLlm(_c, next) {
    llmOf()
    await next()
  }
  return new Hono<GatewayEnv>()
    .post(
      '/v1/chat/completions',
      describe({ summary: 'OpenAI-compatible chat completions (streaming or not) through the gateway\'s provider', response: ChatCompletionSchema, tags: ['openai'] }),
      needLlm,
      jsonBody(ChatCompletionRequest),
      async (c) => {
        const llm = llmOf()
        const body = c.req.valid('json')
        const request = toChatRequest(body, d.config.llm.maxTokens)
        const userId = c.get('principal').userId
        await d.services.usage?.assertWithinBudget(userId)
        const controller = new AbortController()
        c.req.raw.signal?.addEventListener('abort', () => controller.abort(), { once: true })
        const record = (model: string, usage: Usage) =>
          d.services.usage
            ?.record({ userId, model, inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, costUsd: llm.cost(model, usage), purpose: 'proxy' })
            .catch(() => undefined)
        if (body.stream && llm.openEventStream) {
          let upstream: UpstreamEventStream
          try {
            upstream = await llm.openEventStream(request, { signal: controller.signal })
          } catch (error) {
            throw asProxyError(error)
          }
          const { sink, response } = openSseBody(c, d.runtime)
          void relayEventStream(upstream, sink, {
            includeUsage: body.stream_options?.include_usage === true,
            model: request.model!,
            estimatedInputTokens: estimateRequestTokens(request),
            record,
            errorFrame: (error) => errorFrame(proxyError(error)),
          }).catch(() => sink.end())
          return response
        }
        const iterator = llm.stream(request, { signal: controller.signal })[Symbol.asyncIterator]()
        const id = `chatcmpl-${randomHex(16)}`
        const created = Math.floor(d.clock.now() / 1000)
        // The first event comes before any byte is sent, so upstream failures are plain HTTP errors.
        const first = await nextEvent(iterator)
        if (body.stream) {
          return streamResponse(c, { iterator, first, id, created, model: request.model!, includeUsage: body.stream_options?.include_usage === true, record, controller })
        }
        let event = first
        const done = await (async () => {
          for (;;) {
            if (event.done) throw new LlmError('malformed', 'The model provider ended its stream without an answer')
            if (event.value.type === 'done') return event.value
            event = await nextEvent(iterator)
          }
        })()
        await record(done.model, done.usage)
        const completion: ChatCompletion = {
          id,
          object: 'chat.completion',
          created,
          model: done.model,
          choices: [
            {
              index: 0,
              message: {
                role: 'assistant',
                content: done.text || (done.toolCalls.length ? null : ''),
                ...(done.toolCalls.length
                  ? { tool_calls: done.toolCalls.map((t) => ({ id: t.id, type: 'function' as const, function: { name: t.name, arguments: t.arguments } })) }
                  : {}),
              },
              finish_reason: done.finishReason,
            },
          ],
          usage: usageOut(done.usage),
        }
        return c.json(completion)
      },
    )
    .get('/v1/models', describe({ summary: 'Models of the gateway\'s provider (OpenAI format)', response: ModelList, tags: ['openai'] }), async (c) => {
      const llm = llmOf()
      let ids: string[]
      try {
        ids = await llm.listModels({ signal: c.req.raw.signal })
      } catch (error) {
        throw asProxyError(error)
      }
      if (ids.length === 0) ids = [llm.model]
      const created = Math.floor(d.startedAt / 1000)
      return c.json({ object: 'list' as const, data: ids.map((id) => ({ id, object: 'model' as const, created, owned_by: llm.backend })) })
    })
}

async function nextEvent(iterator: AsyncIterator<LlmStreamEvent>): Promise<IteratorResult<LlmStreamEvent>> {
  try {
    return await iterator.next()
  } catch (error) {
    throw asProxyError(error)
  }
}

const asProxyError = (error: unknown): GatewayError => proxyError(error instanceof LlmError ? error : new LlmError('server', String(error)))

const SSE_HEADERS = { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', 'X-Accel-Buffering': 'no' }

/** An error after the status line went out: a last `data:` frame in OpenAI's error shape. */
const errorFrame = (failure: GatewayError): Uint8Array =>
  frame({ error: { message: failure.message, type: failure.openai?.type ?? 'server_error', param: null, code: failure.openai?.code ?? failure.code } })

const usageOut = (u: Usage) => ({ prompt_tokens: u.inputTokens, completion_tokens: u.outputTokens, total_tokens: u.inputTokens + u.outputTokens })

interface StreamParams {
  iterator: AsyncIterator<LlmStreamEvent>
  first: IteratorResult<LlmStreamEvent>
  id: string
  created: number
  model: string
  includeUsage: boolean
  record: (model: string, usage: Usage) => Promise<void> | undefined
  controller: AbortController
}

/** Relays the provider's stream as `chat.completion.chunk` frames, chunk for chunk, with a keep-alive comment. */
function streamResponse(c: Context<GatewayEnv>, p: StreamParams): Response {
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
    frame({ id: p.id, object: 'chat.completion.chunk', created: p.created, model: p.model, choices: [{ index: 0, delta, finish_reason: finish }] })
  let pending: IteratorResult<LlmStreamEvent> | undefined = p.first
  let started = false
  let finished = false
  let keepAlive: ReturnType<typeof setInterval> | undefined
  let lastWrite = Date.now()
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      keepAlive = setInterval(() => {
        if (Date.now() - lastWrite < KEEPALIVE_MS || finished) return
        lastWrite = Date.now()
        controller.enqueue(encoder.encode(':\n\n'))
      }, KEEPALIVE_MS / 3)
    },
    async pull(controller) {
      const write = (bytes: Uint8Array) => {
        lastWrite = Date.now()
        controller.enqueue(bytes)
      }
      if (!started) {
        started = true
        write(chunk({ role: 'assistant', content: '' }))
      }
      try {
        const result = pending ?? (await p.iterator.next())
        pending = undefined
        if (result.done) throw new LlmError('malformed', 'The model provider ended its stream without an answer')
        const event = result.value
        if (event.type === 'text') write(chunk({ content: event.delta }))
        else if (event.type === 'tool_call_delta') {
          write(
            chunk({
              tool_calls: [
                {
                  index: event.index,
                  ...(event.id ? { id: event.id, type: 'function' } : {}),
                  function: { ...(event.name ? { name: event.name } : {}), ...(event.arguments !== undefined ? { arguments: event.arguments } : {}) },
                },
              ],
            }),
          )
        } else {
          write(chunk({}, event.finishReason))
          if (p.includeUsage) write(frame({ id: p.id, object: 'chat.completion.chunk', created: p.created, model: event.model, choices: [], usage: usageOut(event.usage) }))
          write(encoder.encode('data: [DONE]\n\n'))
          finished = true
          clearInterval(keepAlive)
          await p.record(event.model, event.usage)
          controller.close()
        }
      } catch (error) {
        finished = true
        clearInterval(keepAlive)
        write(errorFrame(error instanceof GatewayError ? error : asProxyError(error)))
        controller.close()
      }
    },
    cancel() {
      finished = true
      clearInterval(keepAlive)
      p.controller.abort()
      void p.iterator.return?.()
    },
  })
  return c.body(body, 200, SSE_HEADERS)
}

const frame = (value: unknown): Uint8Array => encoder.encode(`data: ${JSON.stringify(value)}\n\n`)
