import type { LlmBackend } from '../config/gateway-config'
import { sleep } from '../lib/time'
import { LlmError } from './errors'
import type { ChatRequest, LlmStreamEvent, Usage } from './messages'
import type { PriceTable } from './pricing'
import type { BodyReader } from '../ports/stream-request'

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
  /**
   * OpenAI-wire providers only: the upstream's own `chat.completion.chunk` event stream, opened
   * (with the same retries as `stream`) but not parsed, for the `/v1` proxy to relay byte for byte.
   */
  openEventStream?(request: ChatRequest, options?: StreamOptions): Promise<UpstreamEventStream>
  listModels(options?: { signal?: AbortSignal }): Promise<string[]>
  /** Whether images can be sent to this model. */
  supportsVision(model?: string): boolean
  /** US dollars for a call's usage. */
  cost(model: string, usage: Pick<Usage, 'inputTokens' | 'outputTokens'>): number
  /**
   * Loads what the first call would otherwise load (an SDK), for a server to call once it listens:
   * start-up does not pay for it, and neither does the first chat turn.
   */
  warm?(): Promise<void>
}

/** An upstream response body being read: no byte for the policy's `timeoutMs` fails the read. */
export interface UpstreamEventStream {
  /** The next bytes, or undefined at the end. Rejects with an `LlmError` (timeout, network, cancelled). */
  read(): Promise<Uint8Array | undefined>
  /** Stops reading and aborts the upstream request. */
  cancel(): void
  /** An `error` object the upstream sent inside the stream, as the error the provider would raise (secrets scrubbed). */
  errorEvent(error: unknown): LlmError
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
        const failure = this.#failure(error, controller.signal)
        if (produced) throw outer?.aborted ? cancelled() : failure
        await this.#backOff(failure, attempt, options)
      } finally {
        clearTimeout(timer)
        outer?.removeEventListener('abort', onAbort)
      }
    }
  }

  /**
   * Opens an upstream response body with the same policy as `stream`: retried while nothing was
   * read, then watched for silence. One watchdog per body costs less per chunk than re-arming a
   * timer for each.
   */
  protected async openBody(
    options: StreamOptions,
    open: (signal: AbortSignal) => Promise<BodyReader>,
    errorEvent: (error: unknown) => LlmError,
  ): Promise<UpstreamEventStream> {
    const outer = options.signal
    const timeoutMs = this.policy.timeoutMs
    for (let attempt = 0; ; attempt++) {
      if (outer?.aborted) throw cancelled()
      const controller = new AbortController()
      const onAbort = () => controller.abort(cancelled())
      outer?.addEventListener('abort', onAbort, { once: true })
      const silent = () => controller.abort(new LlmError('timeout', `The model provider sent nothing for ${Math.round(timeoutMs / 1000)} s`))
      const headers = setTimeout(silent, timeoutMs)
      let body: BodyReader
      try {
        body = await open(controller.signal)
      } catch (error) {
        outer?.removeEventListener('abort', onAbort)
        await this.#backOff(this.#failure(error, controller.signal), attempt, options)
        continue
      } finally {
        clearTimeout(headers)
      }
      // Only time spent waiting on the upstream counts: the consumer's own pace is not its silence.
      let waitingSince = 0
      const watchdog = setInterval(() => {
        if (waitingSince !== 0 && Date.now() - waitingSince >= timeoutMs) silent()
      }, Math.min(1_000, Math.max(50, timeoutMs / 4)))
      const stop = () => {
        clearInterval(watchdog)
        outer?.removeEventListener('abort', onAbort)
      }
      return {
        read: async () => {
          try {
            waitingSince = Date.now()
            const bytes = await body.read()
            waitingSince = 0
            if (bytes === undefined) {
              stop()
              if (controller.signal.aborted) throw controller.signal.reason
            }
            return bytes
          } catch (error) {
            stop()
            throw this.#failure(error, controller.signal)
          }
        },
        cancel: () => {
          stop()
          controller.abort(cancelled())
          body.cancel()
        },
        errorEvent,
      }
    }
  }

  /** Why an attempt failed: our own abort reason (timeout, cancel) before whatever the SDK threw. */
  #failure(error: unknown, signal: AbortSignal): LlmError {
    const reason = signal.aborted ? signal.reason : undefined
    return reason instanceof LlmError ? reason : error instanceof LlmError ? error : this.toLlmError(error)
  }

  /** Waits before attempt `attempt + 1`, or throws when the failure is not worth another. */
  async #backOff(failure: LlmError, attempt: number, options: StreamOptions): Promise<void> {
    if (options.signal?.aborted) throw cancelled()
    if (!failure.retryable || attempt >= this.policy.maxRetries) throw failure
    const delayMs = failure.retryAfterMs ?? Math.min(8_000, this.policy.retryBaseDelayMs * 2 ** attempt) * (0.8 + Math.random() * 0.4)
    if (delayMs > this.policy.maxRetryDelayMs) throw failure
    options.onRetry?.({ attempt: attempt + 1, delayMs, error: failure })
    try {
      await sleep(delayMs, options.signal)
    } catch {
      throw cancelled()
    }
  }
}

const cancelled = () => new LlmError('cancelled', 'The request was cancelled')

/** Model families known to accept images (override with `LLM_VISION`). */
const VISION_MODELS = /gpt-4o|gpt-4\.1|gpt-4-turbo|gpt-5|\bo[34]\b|o4-mini|claude-(3|sonnet|opus|haiku)|gemini|vision|llava|bakllava|moondream|qwen[\d.]*-?vl|gemma-?3|pixtral|minicpm-v|llama-?4|mistral-small-3/i
