import { Hono } from 'hono'
import type { GatewayEnv } from '../ports/env'
import { routeDoc } from '../middleware/route-doc'
import { GatewayError } from '../lib/errors'
import { jsonBody } from '../middleware/validate'
import { ResponseObject, ResponsesRequest } from '../protocol/responses'
import type { RouteDeps } from './deps'
import { isAgentModel } from './agent-api/agent-model'
import { agentResponse } from './responses/agent-responses'
import { plainResponse } from './responses/plain-responses'
import { ResponseChains } from './responses/response-chains'

const noLlm = () =>
  new GatewayError(503, 'llm_not_configured', 'LLM provider not configured', { openai: { type: 'server_error', code: 'llm_not_configured' } })

/**
 * OpenAI's Responses API, `POST /v1/responses` (streamed events or one `response` object): model
 * `agent` runs a turn of the caller's agent in a thread; any other model is the gateway's
 * provider, translated to its chat call. Behind the same `/v1/*` gate (auth, the model-call
 * budget) as `/v1/chat/completions`; errors in OpenAI's shape.
 */
export const responsesRoutes = (d: RouteDeps) => {
  const chains = new ResponseChains()
  return new Hono<GatewayEnv>().post(
    '/v1/responses',
    routeDoc({ summary: 'OpenAI Responses API (streaming or not): model `agent` (or `agent:<thread-id>`) runs the caller\'s agent, other models the gateway\'s provider', response: ResponseObject, tags: ['openai'] }),
    async (_c, next) => {
      if (!d.services.llm) throw noLlm()
      await next()
    },
    jsonBody(ResponsesRequest),
    async (c) => {
      const body = c.req.valid('json')
      if (isAgentModel(body.model)) return agentResponse(c, d, body)
      const llm = d.services.llm
      if (!llm) throw noLlm()
      return plainResponse(c, d, llm, body, chains)
    },
  )
}
