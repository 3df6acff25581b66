import type { MiddlewareHandler } from 'hono'
import type { GatewayEnv } from '../ports/env'
import type { ModelCallBudget } from '../lib/model-call-budget'

/**
 * Draws one start from the caller's model-call budget for every request under the prefix it is
 * mounted on, except reads (GET, HEAD: `/v1/models`), before the route runs: 429 `rate_limited`
 * with `Retry-After` past it. Mounted on `/v1/*`, so every OpenAI-compatible route, present or
 * added later, draws from the same budget as chat, routines and jobs. Needs `principal`.
 */
export const modelCallGate = (budget: ModelCallBudget): MiddlewareHandler<GatewayEnv> =>
  async function modelCallGate(c, next) {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') await budget.take(c.get('principal').userId, 'openai')
    await next()
  }
