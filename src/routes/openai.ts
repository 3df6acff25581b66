import { Hono, type MiddlewareHandler } from 'hono'
import { estimateRequestTokens, type Usage } from '../llm/messages'
import { proxyError, toChatRequest } from '../llm/openai-compat'
import { asProxyError, collectCompletion, errorFrame, newCompletionId, nextEvent, streamCompletion } from '../llm/openai-completion'
import { relayEventStream } from '../llm/openai-relay'
import type { LlmProvider, UpstreamEventStream } from '../llm/provider'
import type { RouteDeps } from './deps'
import type { GatewayEnv } from '../ports/env'
import { routeDoc } from '../middleware/route-doc'
import { GatewayError } from '../lib/errors'
import { openSseBody } from '../hub/sse-response'
import { jsonBody } from '../middleware/validate'
import { ChatCompletion, ChatCompletionRequest, ModelList } from '../protocol/openai'

/** OpenAI's own streams send a comment every 15 s; clients and proxies tuned for them expect no silence longer than that. */
const KEEPALIVE_MS = 15_000

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
      routeDoc({ summary: 'OpenAI-compatible chat completions (streaming or not) through the gateway\'s provider', response: ChatCompletion, tags: ['openai'] }),
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
          const { sink, response } = openSseBody(c, d.runtime, { keepAlive: d.hub.keepAlive, idleMs: KEEPALIVE_MS })
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
        const at = newCompletionId(d.clock.now())
        // The first event comes before any byte is sent, so upstream failures are plain HTTP errors.
        const first = await nextEvent(iterator)
        if (body.stream) {
          const { sink, response } = openSseBody(c, d.runtime, { keepAlive: d.hub.keepAlive, idleMs: KEEPALIVE_MS })
          void streamCompletion(sink, {
            iterator, first, at, record,
            model: request.model!,
            includeUsage: body.stream_options?.include_usage === true,
            abort: () => controller.abort(),
          })
          return response
        }
        const { completion, model, usage } = await collectCompletion(iterator, first, at)
        await record(model, usage)
        return c.json(completion)
      },
    )
    .get('/v1/models', routeDoc({ summary: 'Models of the gateway\'s provider (OpenAI format)', response: ModelList, tags: ['openai'] }), async (c) => {
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
