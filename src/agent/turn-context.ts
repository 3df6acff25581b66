import type { AgentConfig } from '../config/gateway-config'
import type { ImageAttachment } from '../protocol/chat'
import type { TurnRecord, TurnStore } from '../services/chat/port'
import type { LlmProvider } from '../llm/provider'
import type { ContentPart, LlmMessage } from '../llm/messages'
import { validTimeZone } from '../lib/time'

const DEFAULT_PROMPT = `You are a helpful personal AI assistant, running on the user's own gateway.
Answer accurately and concisely, in the user's language, using Markdown where it helps.
Use the tools you are given when they help. Some tools wait for the user's approval before they run;
if the user denies a call, do not retry it: answer without it or ask the user.
Never invent tool results.`

/** The system prompt of one turn: the configured (or default) prompt, the date, then contributions. */
export function systemPrompt(config: Pick<AgentConfig, 'systemPrompt'>, options: { now: number; timezone?: string | undefined; contributions: Array<{ name: string; text: string }> }): string {
  const zone = validTimeZone(options.timezone) ?? 'UTC'
  const local = new Intl.DateTimeFormat('en-GB', { timeZone: zone, dateStyle: 'full', timeStyle: 'short' }).format(options.now)
  const parts = [config.systemPrompt ?? DEFAULT_PROMPT, `Current date and time: ${local} (${zone}).`]
  for (const c of options.contributions) parts.push(c.text)
  return parts.join('\n\n')
}

/**
 * Earlier turns as context: each user message and the answer it got (tool transcripts are left
 * out), newest kept first within `historyChars`, returned oldest first.
 */
function historyMessages(turns: TurnRecord[], maxChars: number): LlmMessage[] {
  const out: LlmMessage[][] = []
  let used = 0
  for (const turn of [...turns].sort((a, b) => b.seq - a.seq)) {
    const user = turn.image_count > 0 ? `${turn.user_input}\n[${turn.image_count} image(s) were attached]` : turn.user_input
    const answer = turn.response ?? (turn.state === 'interrupted' ? '[stopped before answering]' : turn.state === 'failed' ? '[no answer: the turn failed]' : '')
    const size = user.length + answer.length
    if (used + size > maxChars && out.length > 0) break
    used += size
    out.push([{ role: 'user', content: user }, ...(answer ? [{ role: 'assistant' as const, content: answer }] : [])])
  }
  return out.reverse().flat()
}

/** The user's message, with its images when the model can see them (else a note saying they were dropped). */
function userMessage(text: string, images: ImageAttachment[], vision: { supported: boolean; model: string }): LlmMessage {
  if (images.length === 0) return { role: 'user', content: text }
  if (!vision.supported) {
    return { role: 'user', content: `${text}\n\n[The user attached ${images.length} image(s), but the model ${vision.model} cannot see images.]` }
  }
  const parts: ContentPart[] = [{ type: 'text', text }]
  for (const image of images) parts.push({ type: 'image', mediaType: image.media_type, data: image.data })
  return { role: 'user', content: parts }
}

/** The model's messages for a turn: the earlier turns of its thread (as context), then the user's message. */
export async function turnMessages(turns: TurnStore, turn: TurnRecord, llm: LlmProvider, config: Pick<AgentConfig, 'historyTurns' | 'historyChars'>): Promise<LlmMessage[]> {
  const earlier = await turns.turnsBefore(turn.thread_id, { beforeSeq: turn.seq, limit: config.historyTurns })
  const model = llm.model
  return [...historyMessages(earlier, config.historyChars), userMessage(turn.user_input, turn.images, { supported: llm.supportsVision(model), model })]
}
