import type { ChatCompletionContentPart, ChatCompletionMessageParam, ChatCompletionToolChoiceOption } from 'openai/resources/chat/completions'
import type { ChatRequest, ContentPart, FinishReason, LlmMessage, ToolChoice } from './messages'

// The agent's messages in OpenAI's chat-completions wire format, and its finish reasons back.

export function toFinish(reason: string): FinishReason {
  return reason === 'length' || reason === 'tool_calls' || reason === 'content_filter' ? reason : reason === 'function_call' ? 'tool_calls' : 'stop'
}

export function toToolChoice(choice: ToolChoice): ChatCompletionToolChoiceOption {
  return typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.name } }
}

function toParts(content: string | ContentPart[]): string | ChatCompletionContentPart[] {
  if (typeof content === 'string') return content
  return content.map((p): ChatCompletionContentPart =>
    p.type === 'text' ? { type: 'text', text: p.text } : { type: 'image_url', image_url: { url: p.data ? `data:${p.mediaType ?? 'image/png'};base64,${p.data}` : (p.url ?? '') } },
  )
}

export function toOpenAIMessages(request: ChatRequest): ChatCompletionMessageParam[] {
  const out: ChatCompletionMessageParam[] = []
  if (request.system) out.push({ role: 'system', content: request.system })
  for (const m of request.messages as LlmMessage[]) {
    switch (m.role) {
      case 'system':
        out.push({ role: 'system', content: m.content })
        break
      case 'user':
        out.push({ role: 'user', content: toParts(m.content) })
        break
      case 'assistant':
        out.push({
          role: 'assistant',
          content: m.content || (m.toolCalls?.length ? null : ''),
          ...(m.toolCalls?.length ? { tool_calls: m.toolCalls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: c.arguments } })) } : {}),
        })
        break
      case 'tool':
        out.push({ role: 'tool', tool_call_id: m.toolCallId, content: m.content })
        break
    }
  }
  return out
}
