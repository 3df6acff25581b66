import { GatewayError } from '../../lib/errors'
import type { ChatCompletionRequest, OpenAIMessageIn } from '../../protocol/openai'
import type { ResponseInputItem, ResponsesRequest } from '../../protocol/responses'

const invalid = (message: string): GatewayError => new GatewayError(400, 'invalid_request', message, { openai: { type: 'invalid_request_error', code: null } })

/** A Responses API content part as a chat-completions one (text and image URLs; other kinds are refused). */
function partOf(part: { type: string; text?: string | undefined; image_url?: string | undefined }, at: string): Record<string, unknown> {
  if ((part.type === 'input_text' || part.type === 'output_text' || part.type === 'text') && part.text !== undefined) return { type: 'text', text: part.text }
  if (part.type === 'input_image' && part.image_url) return { type: 'image_url', image_url: { url: part.image_url } }
  throw invalid(`${at}: unsupported content part '${part.type}'`)
}

/**
 * A Responses API `input` as chat-completions messages, so any provider the relay speaks to
 * (OpenAI-compatible chat completions, Anthropic messages) answers it: messages keep their role
 * (`developer` is `system`), a client's `function_call` items become the assistant's tool calls
 * and `function_call_output` items tool results.
 */
export function inputMessages(input: ResponsesRequest['input']): OpenAIMessageIn[] {
  if (input === undefined) return []
  if (typeof input === 'string') return [{ role: 'user', content: input }]
  const out: OpenAIMessageIn[] = []
  input.forEach((item: ResponseInputItem, i) => {
    const at = `input[${i}]`
    const type = item.type ?? 'message'
    if (type === 'message') {
      if (!item.role) throw invalid(`${at}: a message needs a role`)
      const role = item.role === 'developer' ? 'system' : item.role
      const content = typeof item.content === 'string' || item.content === undefined ? (item.content ?? '') : item.content.map((p, j) => partOf(p, `${at}.content[${j}]`))
      out.push({ role, content })
    } else if (type === 'function_call') {
      if (!item.call_id || !item.name) throw invalid(`${at}: a function_call needs call_id and name`)
      const call = { id: item.call_id, type: 'function', function: { name: item.name, arguments: item.arguments ?? '{}' } }
      const last = out.at(-1)
      if (last?.role === 'assistant' && last.tool_calls) last.tool_calls.push(call)
      else out.push({ role: 'assistant', content: null, tool_calls: [call] })
    } else if (type === 'function_call_output') {
      if (!item.call_id) throw invalid(`${at}: a function_call_output needs call_id`)
      const output = typeof item.output === 'string' ? item.output : (item.output ?? []).map((p) => p.text ?? '').join('')
      out.push({ role: 'tool', tool_call_id: item.call_id, content: output })
    } else {
      throw invalid(`${at}: unsupported input item type '${type}'`)
    }
  })
  return out
}

/** The request as a chat-completions body (validated by the same rules as `/v1/chat/completions`). */
export function asChatCompletion(request: ResponsesRequest, history: OpenAIMessageIn[]): ChatCompletionRequest {
  const tools = (request.tools ?? []).map((tool, i) => {
    if (tool.type !== 'function' || !tool.name) throw invalid(`tools[${i}]: only function tools are supported (got '${tool.type}')`)
    return { type: 'function', function: { name: tool.name, ...(tool.description ? { description: tool.description } : {}), ...(tool.parameters ? { parameters: tool.parameters } : {}) } }
  })
  const choice = request.tool_choice
  const toolChoice = typeof choice === 'object' && choice !== null && choice.type === 'function' && typeof choice.name === 'string' ? { type: 'function', function: { name: choice.name } } : choice
  const messages = [...(request.instructions ? [{ role: 'system', content: request.instructions }] : []), ...history, ...inputMessages(request.input)]
  return {
    model: request.model,
    messages,
    ...(request.temperature != null ? { temperature: request.temperature } : {}),
    ...(request.max_output_tokens != null ? { max_tokens: request.max_output_tokens } : {}),
    ...(tools.length ? { tools } : {}),
    ...(toolChoice !== undefined && tools.length ? { tool_choice: toolChoice } : {}),
  }
}
