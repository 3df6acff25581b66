import { z } from 'zod'

/**
 * The provider-neutral conversation model the agent loop, the OpenAI proxy and the transcripts
 * stored with each turn share. Providers translate it to their wire format (OpenAI chat
 * completions, Anthropic messages). Stored as JSON and parsed back through these schemas.
 */

export const TextPart = z.object({ type: z.literal('text'), text: z.string() })

/** An image: inline base64 (`data` + `mediaType`) or a URL the provider fetches itself. */
export const ImagePart = z.object({
  type: z.literal('image'),
  mediaType: z.string().optional(),
  data: z.string().optional(),
  url: z.string().optional(),
})

export const ContentPart = z.discriminatedUnion('type', [TextPart, ImagePart])
export type ContentPart = z.infer<typeof ContentPart>

/** A tool call as the model made it; `arguments` is the raw JSON text (it may not parse). */
export const ToolCall = z.object({ id: z.string(), name: z.string(), arguments: z.string() })
export type ToolCall = z.infer<typeof ToolCall>

export const LlmMessage = z.discriminatedUnion('role', [
  z.object({ role: z.literal('system'), content: z.string() }),
  z.object({ role: z.literal('user'), content: z.union([z.string(), z.array(ContentPart)]) }),
  z.object({ role: z.literal('assistant'), content: z.string(), toolCalls: z.array(ToolCall).optional() }),
  z.object({ role: z.literal('tool'), toolCallId: z.string(), name: z.string(), content: z.string() }),
])
export type LlmMessage = z.infer<typeof LlmMessage>

/** A tool as the model sees it: name, description, JSON Schema of its input. */
export interface ToolSpec {
  name: string
  description: string
  parameters: Record<string, unknown>
}

export type ToolChoice = 'auto' | 'none' | 'required' | { name: string }

export interface ChatRequest {
  /** Defaults to the provider's configured model. */
  model?: string | undefined
  system?: string | undefined
  messages: LlmMessage[]
  tools?: ToolSpec[] | undefined
  toolChoice?: ToolChoice | undefined
  temperature?: number | undefined
  maxTokens?: number | undefined
  stop?: string[] | undefined
}

export interface Usage {
  inputTokens: number
  outputTokens: number
  /** True when the upstream reported no usage and the counts are estimated from text length. */
  estimated?: boolean
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter'

/** What a provider's stream yields: text as it arrives, tool-call fragments, then one `done`. */
export type LlmStreamEvent =
  | { type: 'text'; delta: string }
  /** A fragment of a tool call (OpenAI streaming shape); `done.toolCalls` has them assembled. */
  | { type: 'tool_call_delta'; index: number; id?: string | undefined; name?: string | undefined; arguments?: string | undefined }
  | { type: 'done'; text: string; toolCalls: ToolCall[]; finishReason: FinishReason; usage: Usage; model: string }

/** The text of a message's content, images left out. */
export function contentText(content: string | ContentPart[]): string {
  if (typeof content === 'string') return content
  return content
    .filter((p): p is z.infer<typeof TextPart> => p.type === 'text')
    .map((p) => p.text)
    .join('\n')
}

/** A rough token count (4 characters per token) for upstreams that report no usage. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4)
}

export function estimateRequestTokens(request: ChatRequest): number {
  let chars = request.system?.length ?? 0
  for (const m of request.messages) {
    if (m.role === 'user') chars += contentText(m.content).length
    else if (m.role === 'assistant') chars += m.content.length + (m.toolCalls ?? []).reduce((n, c) => n + c.arguments.length + c.name.length, 0)
    else chars += m.content.length
  }
  for (const t of request.tools ?? []) chars += t.name.length + t.description.length + JSON.stringify(t.parameters).length
  return Math.ceil(chars / 4)
}
