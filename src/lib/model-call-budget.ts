import { GatewayError } from './errors'
import type { RateDecision } from './sliding-window-limiter'

/**
 * Where the budget's counts live: in-process (`SlidingWindowLimiter`) by default. A limiter
 * shared by every instance on one database can replace it without touching a draw point.
 */
export interface ModelCallLimiter {
  /** Counts one start for `key` when allowed; a refused start is not counted. */
  hit(key: string): RateDecision | Promise<RateDecision>
  /** Gives back the last start of `key` (it failed before any model call). */
  refund(key: string): void | Promise<void>
}

/** What a start of model work is, for the refusal's message and the logs. */
export type ModelWork = 'chat' | 'openai' | 'routine' | 'job'

/** A start drawn from the budget: `refund()` when it fails before calling a model. */
export interface ModelCallPermit {
  refund(): Promise<void>
}

/**
 * The per-user model-call budget (`limits.chatMessagesPerWindow` starts per `chatWindowMs`,
 * 30 a minute by default) that every path starting model calls on a user's behalf draws from:
 * a chat message (REST, WebSocket), a `/v1/*` request, a routine run (manual, scheduled,
 * event or webhook), an agent or command job's turn (start, restart, follow-up prompt). Past
 * it, each of them answers 429 `rate_limited` with `Retry-After`, so work refused on one path
 * cannot be started on another. Each start's own model calls are bounded by its step cap.
 */
export class ModelCallBudget {
  constructor(readonly limiter: ModelCallLimiter) {}

  /** Draws one start for the user, or throws 429 `rate_limited` with `Retry-After`. */
  async take(userId: string, work: ModelWork): Promise<ModelCallPermit> {
    const decision = await this.limiter.hit(userId)
    if (!decision.ok) {
      const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000))
      throw new GatewayError(429, 'rate_limited', `Rate limit exceeded: too much model work started (${describeWork(work)}). Try again in ${seconds} s.`, {
        headers: { 'Retry-After': String(seconds) },
        details: { budget: 'model_calls', work, retry_after_secs: seconds },
      })
    }
    let refunded = false
    return {
      refund: async () => {
        if (refunded) return
        refunded = true
        await this.limiter.refund(userId)
      },
    }
  }
}

const describeWork = (work: ModelWork): string =>
  ({ chat: 'chat message', openai: 'model API call', routine: 'routine run', job: 'job turn' })[work]
