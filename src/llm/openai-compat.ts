import { GatewayError } from '../lib/errors'
import type { ChatCompletionRequest, OpenAIMessageIn } from '../protocol/openai'
import { LlmError } from './errors'
import type { ChatRequest, ContentPart, LlmMessage, ToolChoice } from './messages'

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool'])
// Controls, except tab, line feed and carriage return (harmless but still refused in a model name).
const CONTROL = /[\u0000-\u001f\u007f]/

const invalid = (message: string): GatewayError =>
  new GatewayError(400, 'invalid_request', message, { openai: { type: 'invalid_request_error', code: null } })

/**
 * Turns an OpenAI chat-completions body into the provider-neutral request, applying the
 * contract's checks (400 `invalid_request_error`) and clamping `max_tokens` to the gateway's cap.
 */
export function toChatRequest(body: ChatCompletionRequest, maxTokensCap: number): ChatRequest {
  if (body.messages.length === 0) throw invalid('messages must not be empty')
  const model = body.model
  if (model.length === 0) throw invalid('model must not be empty')
  if (model.trim() !== model) throw invalid('model must not have leading or trailing whitespace')
  if (new TextEncoder().encode(model).length > 256) throw invalid('model must be at most 256 bytes')
  if (CONTROL.test(model)) throw invalid('model contains control characters')
  const messages = body.messages.map((m, i) => toMessage(m, i))
  const tools = (body.tools ?? [])
    .filter((t) => t.type === 'function' && t.function)
    .map((t) => ({
      name: t.function!.name,
      description: t.function!.description ?? '',
      parameters: t.function!.parameters ?? { type: 'object', properties: {} },
    }))
  const requested = body.max_completion_tokens ?? body.max_tokens
  return {
    model,
    messages,
    tools: tools.length ? tools : undefined,
    toolChoice: tools.length ? toolChoice(body.tool_choice) : undefined,
    temperature: body.temperature,
    maxTokens: Math.min(requested ?? maxTokensCap, maxTokensCap),
    stop: body.stop == null ? undefined : typeof body.stop === 'string' ? [body.stop] : body.stop,
  }
}

function toMessage(m: OpenAIMessageIn, i: number): LlmMessage {
  if (!ROLES.has(m.role)) throw invalid(`messages[${i}]: Unknown role: '${m.role}'`)
  const text = typeof m.content === 'string' ? m.content : Array.isArray(m.content) ? textOf(m.content) : ''
  switch (m.role) {
    case 'system':
    case 'developer':
      return { role: 'system', content: text }
    case 'user':
      return { role: 'user', content: Array.isArray(m.content) ? parts(m.content) : text }
    case 'assistant':
      return {
        role: 'assistant',
        content: text,
        ...(m.tool_calls?.length
          ? { toolCalls: m.tool_calls.map((c) => ({ id: c.id, name: c.function.name, arguments: argumentsText(c.function.arguments) })) }
          : {}),
      }
    default:
      if (!m.tool_call_id) throw invalid(`messages[${i}]: tool message requires 'tool_call_id'`)
      return { role: 'tool', toolCallId: m.tool_call_id, name: m.name ?? '', content: text }
  }
}

/** Arguments must be JSON object text; anything else becomes `{}`. */
function argumentsText(args: unknown): string {
  if (typeof args === 'string') {
    try {
      const parsed: unknown = JSON.parse(args)
      return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? args : '{}'
    } catch {
      return '{}'
    }
  }
  return args && typeof args === 'object' && !Array.isArray(args) ? JSON.stringify(args) : '{}'
}

function textOf(content: Array<Record<string, unknown>>): string {
  return content
    .filter((p) => p.type === 'text' && typeof p.text === 'string')
    .map((p) => p.text as string)
    .join('\n')
}

function parts(content: Array<Record<string, unknown>>): ContentPart[] {
  const out: ContentPart[] = []
  for (const p of content) {
    if (p.type === 'text' && typeof p.text === 'string') out.push({ type: 'text', text: p.text })
    else if (p.type === 'image_url') {
      const ref = p.image_url as { url?: unknown } | string | undefined
      const url = typeof ref === 'string' ? ref : typeof ref?.url === 'string' ? ref.url : undefined
      if (!url) continue
      const data = /^data:(image\/[a-z0-9.+-]+);base64,(.*)$/is.exec(url)
      out.push(data ? { type: 'image', mediaType: data[1]!.toLowerCase(), data: data[2]! } : { type: 'image', url })
    }
  }
  return out
}

function toolChoice(choice: ChatCompletionRequest['tool_choice']): ToolChoice | undefined {
  if (choice === undefined) return undefined
  if (typeof choice === 'string') return choice === 'none' || choice === 'required' ? choice : 'auto'
  const fn = choice.function as { name?: unknown } | undefined
  if (fn && typeof fn.name === 'string') return { name: fn.name }
  return choice.type === 'none' || choice.type === 'required' ? choice.type : 'auto'
}

/** An upstream failure as the `/v1` error the contract names (status, OpenAI type and code). */
export function proxyError(error: LlmError): GatewayError {
  const retry = error.retryAfterMs !== undefined ? { 'Retry-After': String(Math.max(1, Math.ceil(error.retryAfterMs / 1000))) } : undefined
  const make = (status: 400 | 401 | 404 | 429 | 502 | 503 | 504, type: string, code: string) =>
    new GatewayError(status, code, error.message, { openai: { type, code }, ...(retry ? { headers: retry } : {}) })
  switch (error.kind) {
    case 'auth':
      return make(401, 'authentication_error', 'auth_error')
    case 'rate_limit':
      return make(429, 'rate_limit_error', 'rate_limit')
    case 'context_length':
      return make(400, 'invalid_request_error', 'context_length_exceeded')
    case 'model_not_found':
      return make(404, 'invalid_request_error', 'model_not_found')
    case 'bad_request':
      return make(400, 'invalid_request_error', 'upstream_bad_request')
    case 'not_configured':
      return make(503, 'server_error', 'llm_not_configured')
    case 'timeout':
      return make(504, 'server_error', 'upstream_timeout')
    default:
      return make(502, 'server_error', 'internal_error')
  }
}
