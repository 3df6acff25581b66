import type { LlmBackend } from '../../config'
import { sleep } from '../../lib/time'
import { LlmError } from './errors'
import type { ChatRequest, LlmStreamEvent, Usage } from './messages'
import type { PriceTable } from './pricing'

export interface StreamOptions {
  signal?: AbortSignal | undefined
  /** Told before each retry, so the caller can say why the answer is late. */
  onRetry?: ((info: { attempt: number; delayMs: number; error: LlmError }) => void) | undefined
}

/**
 * The LLM port: one streaming chat call with tools, plus the model list. Implementations handle
 * timeouts (no byte for `timeoutMs` = `LlmError('timeout')`), bounded retries on 429/5xx/network
 * errors before the first token (honouring `Retry-After`), and cancellation through the signal.
 * Every failure is an `LlmError`.
 */
export interface LlmProvider {
  readonly backend: LlmBackend
  /** The configured model, used when a request names none. */
  readonly model: string
  stream(request: ChatRequest, options?: StreamOptions): AsyncIterable<LlmStreamEvent>
  listModels(options?: { signal?: AbortSignal }): Promise<string[]>
  /** Whether images can be sent to this model. */
  supportsVision(model?: string): boolean
  /** US dollars for a call's usage. */
  cost(model: string, usage: Pick<Usage, 'inputTokens' | 'outputTokens'>): number
}

export interface RetryPolicy {
  /** No byte from the upstream for this long (before the first token, or between chunks) fails the call. */
  timeoutMs: number
  maxRetries: number
  retryBaseDelayMs: number
  /** A `Retry-After` longer than this is not waited for: the call fails at once. */
  maxRetryDelayMs: number
}

/**
 * Shared policy for providers: each attempt gets its own AbortController, armed with the idle
 * timeout and linked to the caller's signal; a failed attempt that produced nothing is retried.
 * Subclasses implement one attempt and the mapping of their SDK's errors.
 */
export abstract class BaseProvider implements LlmProvider {
  abstract readonly backend: LlmBackend

  constructor(
    readonly model: string,
    protected readonly policy: RetryPolicy,
    protected readonly prices: PriceTable,
    private readonly vision: boolean | undefined,
  ) {}

  protected abstract attempt(request: ChatRequest, signal: AbortSignal): AsyncIterable<LlmStreamEvent>
  protected abstract toLlmError(error: unknown): LlmError
  abstract listModels(options?: { signal?: AbortSignal }): Promise<string[]>

  supportsVision(model = this.model): boolean {
    return this.vision ?? VISION_MODELS.test(model)
  }

  cost(model: string, usage: Pick<Usage, 'inputTokens' | 'outputTokens'>): number {
    return this.prices.cost(model, usage)
  }

  async *stream(request: ChatRequest, options: StreamOptions = {}): AsyncIterable<LlmStreamEvent> {
    const outer = options.signal
    for (let attempt = 0; ; attempt++) {
      if (outer?.aborted) throw cancelled()
      const controller = new AbortController()
      const onAbort = () => controller.abort(cancelled())
      outer?.addEventListener('abort', onAbort, { once: true })
      let timer: ReturnType<typeof setTimeout> | undefined
      const arm = () => {
        clearTimeout(timer)
        timer = setTimeout(
          () => controller.abort(new LlmError('timeout', `The model provider sent nothing for ${Math.round(this.policy.timeoutMs / 1000)} s`)),
          this.policy.timeoutMs,
        )
      }
      let produced = false
      try {
        arm()
        for await (const event of this.attempt(request, controller.signal)) {
          if (controller.signal.aborted) break
          produced ||= event.type !== 'done'
          // The consumer's own pace does not count against the upstream.
          clearTimeout(timer)
          yield event
          arm()
        }
        // SDKs end an aborted stream quietly; the reason is ours to raise.
        if (controller.signal.aborted) throw controller.signal.reason
        return
      } catch (error) {
        const reason = controller.signal.aborted ? controller.signal.reason : undefined
        const failure = reason instanceof LlmError ? reason : error instanceof LlmError ? error : this.toLlmError(error)
        if (outer?.aborted) throw cancelled()
        if (produced || !failure.retryable || attempt >= this.policy.maxRetries) throw failure
        const delayMs = failure.retryAfterMs ?? Math.min(8_000, this.policy.retryBaseDelayMs * 2 ** attempt) * (0.8 + Math.random() * 0.4)
        if (delayMs > this.policy.maxRetryDelayMs) throw failure
        options.onRetry?.({ attempt: attempt + 1, delayMs, error: failure })
        try {
          await sleep(delayMs, outer)
        } catch {
          throw cancelled()
        }
      } finally {
        clearTimeout(timer)
        outer?.removeEventListener('abort', onAbort)
      }
    }
  }
}

const cancelled = () => new LlmError('cancelled', 'The request was cancelled')

/** Model families known to accept images (override with `LLM_VISION`). */
const VISION_MODELS = /gpt-4o|gpt-4\.1|gpt-4-turbo|gpt-5|\bo[34]\b|o4-mini|claude-(3|sonnet|opus|haiku)|gemini|vision|llava|bakllava|moondream|qwen[\d.]*-?vl|gemma-?3|pixtral|minicpm-v|llama-?4|mistral-small-3/i
