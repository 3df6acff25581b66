import { z } from 'zod'

/** What one line of a coding-agent CLI's output means for the job. */
export type CliUpdate =
  | { kind: 'text'; text: string }
  | { kind: 'message'; content: string }
  | { kind: 'tool_use'; toolName: string; input: unknown }
  | { kind: 'tool_result'; toolName: string; output: string; isError: boolean }
  | { kind: 'session'; sessionId: string; model?: string | undefined }
  | { kind: 'result'; text: string | null; isError: boolean; sessionId?: string | undefined; usage?: { input: number; output: number } | undefined }

const TextBlock = z.object({ type: z.literal('text'), text: z.string() })
const ToolUseBlock = z.object({ type: z.literal('tool_use'), id: z.string().optional(), name: z.string(), input: z.unknown() })
const ToolResultBlock = z.object({
  type: z.literal('tool_result'),
  tool_use_id: z.string().optional(),
  content: z.union([z.string(), z.array(z.object({ type: z.string(), text: z.string().optional() }).loose())]).optional(),
  is_error: z.boolean().optional(),
})
const Block = z.union([TextBlock, ToolUseBlock, ToolResultBlock, z.object({ type: z.string() }).loose()])
const Usage = z.object({ input_tokens: z.number().optional(), output_tokens: z.number().optional() }).loose()

const Line = z.discriminatedUnion('type', [
  z.object({ type: z.literal('system'), subtype: z.string().optional(), session_id: z.string().optional(), model: z.string().optional() }).loose(),
  z.object({ type: z.literal('assistant'), message: z.object({ content: z.array(Block) }).loose() }).loose(),
  z.object({ type: z.literal('user'), message: z.object({ content: z.union([z.string(), z.array(Block)]) }).loose() }).loose(),
  z.object({
    type: z.literal('result'),
    subtype: z.string().optional(),
    is_error: z.boolean().optional(),
    result: z.string().optional(),
    session_id: z.string().optional(),
    usage: Usage.optional(),
  }).loose(),
])

/**
 * Reads the stream-JSON protocol coding-agent CLIs print (one JSON object per line: `system`
 * init with the session id, `assistant` text and tool calls, `user` tool results, a final
 * `result` with usage). Lines that are not JSON are plain output text; JSON it does not know is
 * skipped.
 */
export class StreamJsonReader {
  readonly #toolNames = new Map<string, string>()

  read(line: string): CliUpdate[] {
    const trimmed = line.trim()
    if (!trimmed) return []
    if (!trimmed.startsWith('{')) return [{ kind: 'text', text: line }]
    let raw: unknown
    try {
      raw = JSON.parse(trimmed)
    } catch {
      return [{ kind: 'text', text: line }]
    }
    const parsed = Line.safeParse(raw)
    if (!parsed.success) return []
    const value = parsed.data
    switch (value.type) {
      case 'system':
        return value.session_id ? [{ kind: 'session', sessionId: value.session_id, model: value.model }] : []
      case 'assistant': {
        const out: CliUpdate[] = []
        for (const block of value.message.content) {
          const text = TextBlock.safeParse(block)
          if (text.success) {
            if (text.data.text.trim()) out.push({ kind: 'message', content: text.data.text })
            continue
          }
          const tool = ToolUseBlock.safeParse(block)
          if (tool.success) {
            if (tool.data.id) this.#toolNames.set(tool.data.id, tool.data.name)
            out.push({ kind: 'tool_use', toolName: tool.data.name, input: tool.data.input ?? {} })
          }
        }
        return out
      }
      case 'user': {
        if (typeof value.message.content === 'string') return []
        const out: CliUpdate[] = []
        for (const block of value.message.content) {
          const result = ToolResultBlock.safeParse(block)
          if (!result.success) continue
          const content = result.data.content
          const output = typeof content === 'string' ? content : (content ?? []).map((part) => part.text ?? '').join('')
          const toolName = (result.data.tool_use_id && this.#toolNames.get(result.data.tool_use_id)) || 'tool'
          out.push({ kind: 'tool_result', toolName, output, isError: result.data.is_error ?? false })
        }
        return out
      }
      case 'result': {
        const usage = value.usage
        return [
          {
            kind: 'result',
            text: value.result ?? null,
            isError: value.is_error ?? (value.subtype !== undefined && value.subtype !== 'success'),
            sessionId: value.session_id,
            usage: usage ? { input: usage.input_tokens ?? 0, output: usage.output_tokens ?? 0 } : undefined,
          },
        ]
      }
    }
  }
}
