/**
 * Why an LLM call failed, in terms the agent and the proxy act on: whether to retry, what to tell
 * the user, which HTTP status and OpenAI error type to answer with.
 */
export type LlmErrorKind =
  | 'not_configured'
  | 'auth'
  | 'rate_limit'
  | 'context_length'
  | 'model_not_found'
  | 'bad_request'
  | 'server'
  | 'timeout'
  | 'network'
  | 'malformed'
  | 'cancelled'

export class LlmError extends Error {
  override readonly name = 'LlmError'
  constructor(
    readonly kind: LlmErrorKind,
    message: string,
    readonly options: { status?: number | undefined; retryAfterMs?: number | undefined; retryable?: boolean | undefined; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause })
  }

  get status(): number | undefined {
    return this.options.status
  }

  get retryAfterMs(): number | undefined {
    return this.options.retryAfterMs
  }

  /** Worth another attempt (before any output was produced). */
  get retryable(): boolean {
    if (this.options.retryable !== undefined) return this.options.retryable
    return this.kind === 'rate_limit' || this.kind === 'server' || this.kind === 'network'
  }
}

export const NOT_CONFIGURED_MESSAGE =
  'No LLM provider is configured. Set LLM_BASE_URL (and LLM_API_KEY, LLM_MODEL) to any OpenAI-compatible server ' +
  '(OpenAI, Ollama, vLLM, LM Studio, OpenRouter), or LLM_BACKEND=anthropic with ANTHROPIC_API_KEY, then restart the gateway.'

/** Reads `retry-after-ms` / `retry-after` (seconds or an HTTP date). */
export function retryAfterMs(headers: Headers | Record<string, string | null | undefined> | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined
  const get = (name: string): string | null | undefined => (headers instanceof Headers ? headers.get(name) : headers[name])
  const ms = Number.parseFloat(get('retry-after-ms') ?? '')
  if (Number.isFinite(ms) && ms >= 0) return ms
  const raw = get('retry-after')
  if (!raw) return undefined
  const seconds = Number(raw)
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000
  const date = Date.parse(raw)
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined
}

const CONTEXT_HINTS = /context[_ ]length|maximum context|context window|prompt is too long|too many tokens/i

/** Maps an upstream HTTP failure to an `LlmError`, keeping the upstream's own message (cut short). */
export function errorFromStatus(status: number, upstreamMessage: string, headers?: Headers | Record<string, string | null | undefined>, code?: string | null): LlmError {
  const detail = clip(upstreamMessage)
  const retryAfter = retryAfterMs(headers)
  if (status === 401 || status === 403) return new LlmError('auth', `The model provider rejected the credentials (HTTP ${status}): ${detail}`, { status })
  if (status === 429) {
    // A spent quota is not a rate limit that waiting fixes.
    const quota = code === 'insufficient_quota' || /quota|billing/i.test(upstreamMessage)
    return new LlmError('rate_limit', `The model provider is rate limiting (HTTP 429): ${detail}`, { status, retryAfterMs: retryAfter, retryable: !quota })
  }
  if (CONTEXT_HINTS.test(upstreamMessage) || code === 'context_length_exceeded') {
    return new LlmError('context_length', `The conversation is too long for the model: ${detail}`, { status })
  }
  if (status === 404) return new LlmError('model_not_found', `The model provider could not find the model (HTTP 404): ${detail}`, { status })
  if (status === 408) return new LlmError('timeout', `The model provider timed out (HTTP 408): ${detail}`, { status, retryable: true })
  if (status >= 500) return new LlmError('server', `The model provider failed (HTTP ${status}): ${detail}`, { status, retryAfterMs: retryAfter })
  return new LlmError('bad_request', `The model provider refused the request (HTTP ${status}): ${detail}`, { status })
}

/**
 * The upstream's message, short. A proxy or load balancer in front of the provider often answers
 * with an HTML error page: that becomes its title, never markup in a user-facing error event.
 */
const clip = (text: string, max = 300): string => {
  if (/<(?:!doctype|html|head|body)\b/i.test(text)) {
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1]?.replace(/\s+/g, ' ').trim()
    return title ? `an HTML error page ("${title.slice(0, 100)}")` : 'an HTML error page'
  }
  const t = text.replace(/\s+/g, ' ').trim() || 'no details'
  return t.length > max ? `${t.slice(0, max)}...` : t
}

/** Removes anything that looks like an API key from text that may reach a user or a log. */
export function scrubSecrets(text: string, secrets: Array<string | undefined> = []): string {
  let out = text.replace(/\b(sk|sk-ant|sk-proj|key)-[A-Za-z0-9_*-]{8,}/g, '[redacted]')
  for (const s of secrets) if (s && s.length >= 6) out = out.split(s).join('[redacted]')
  return out
}
