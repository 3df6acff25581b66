import type { Context } from 'hono'
import { GatewayError } from '../../lib/errors'
import { newCompletionId } from '../../llm/openai-completion'
import type { GatewayEnv } from '../../ports/env'
import type { ChatCompletion, ChatCompletionRequest } from '../../protocol/openai'
import { openSseBody } from '../../hub/sse-response'
import type { RouteDeps } from '../deps'
import { type AgentTurn, startAgentTurn, type TurnPart } from './agent-turn'
import { agentModelOf, agentThreadOf, approvalFields, approvalMessage, approvalModeOf, approvalRequired, lastUserText, threadLink } from './agent-model'

const encoder = new TextEncoder()
const frame = (value: unknown): Uint8Array => encoder.encode(`data: ${JSON.stringify(value)}\n\n`)
const DONE = encoder.encode('data: [DONE]\n\n')
const KEEPALIVE_MS = 15_000

/**
 * How the agent's tool activity reads in a chat-completions stream: a line of content (so every
 * chat client shows it), and the same event as `gateway_event` on the chunk for clients that
 * read it. Never `tool_calls`: those are for the client to run, and the agent ran these itself.
 */
export function toolText(part: TurnPart, link?: string): string | undefined {
  switch (part.type) {
    case 'tool_started':
      return `\n\n> 🔧 \`${part.name}\`…\n`
    case 'tool_completed':
      return part.success ? `> ✓ \`${part.name}\` done\n\n` : `> ✗ \`${part.name}\` failed${part.error ? `: ${part.error}` : ''}\n\n`
    case 'approval_needed':
      return `\n\n> ⏸ ${approvalMessage(part.approval, link ?? '')}\n\n`
    case 'approval_resolved':
      return `> ${part.action === 'deny' ? 'Denied' : part.action === 'cancelled' || part.action === 'expired' ? `Approval ${part.action}` : 'Approved'}.\n\n`
    default:
      return undefined
  }
}

export const gatewayEvent = (part: TurnPart): Record<string, unknown> => {
  switch (part.type) {
    case 'approval_needed':
      return { type: part.type, ...part.approval }
    case 'text':
      return { type: part.type }
    default: {
      const { type, ...rest } = part
      return { type, ...Object.fromEntries(Object.entries(rest).map(([k, v]) => [k === 'callId' ? 'call_id' : k === 'requestId' ? 'request_id' : k, v])) }
    }
  }
}

/**
 * `model: "agent"` / `"agent:<thread-id>"` on `/v1/chat/completions`: a turn of the caller's own
 * agent (tools, memory, skills, approvals) in a thread the web app shows, answered as a chat
 * completion. The model-call budget was drawn by the `/v1` gate; the thread holds the history,
 * so only the last user message is sent.
 */
export async function agentCompletion(c: Context<GatewayEnv>, d: RouteDeps, body: ChatCompletionRequest): Promise<Response> {
  const threadId = agentThreadOf(body.model)
  const content = lastUserText(body.messages)
  const mode = approvalModeOf(c, d)
  const turn = await startAgentTurn(d, c.get('principal'), { content, threadId, channel: 'api', source: 'api' }, { untilApproval: mode === 'error' })
  const link = threadLink(c, turn.threadId)
  const model = agentModelOf(turn.threadId)
  const at = newCompletionId(d.clock.now())
  if (!body.stream) {
    c.header('X-Gateway-Thread-Id', turn.threadId)
    return collect(c, turn, { model, link, at })
  }

  const { sink, response } = openSseBody(c, d.runtime, { keepAlive: d.hub.keepAlive, idleMs: KEEPALIVE_MS, headers: { 'X-Gateway-Thread-Id': turn.threadId } })
  let gone = false
  sink.onClose(() => {
    gone = true
    void turn.cancel()
  })
  const chunk = (delta: Record<string, unknown>, finish: string | null = null, extra: Record<string, unknown> = {}) =>
    frame({ id: at.id, object: 'chat.completion.chunk', created: at.created, model, choices: [{ index: 0, delta, finish_reason: finish }], ...extra })
  void (async () => {
    sink.write(chunk({ role: 'assistant', content: '' }))
    let streamed = ''
    for await (const part of turn.parts) {
      if (gone) continue
      if (part.type === 'text') {
        streamed += part.delta
        sink.write(chunk({ content: part.delta }))
        continue
      }
      if (part.type === 'tool_result') continue
      const text = toolText(part, link)
      if (text !== undefined && !(part.type === 'approval_needed' && mode === 'error')) sink.write(chunk({ content: text }, null, { gateway_event: gatewayEvent(part) }))
    }
    const { outcome, approval } = await turn.result()
    if (gone) return
    if (approval && (outcome.status === 'awaiting_approval' || outcome.status === 'blocked')) {
      const error = approvalRequired(approval, link)
      sink.write(frame({ error: { message: error.message, type: 'invalid_request_error', param: null, code: 'approval_required', ...approvalFields(approval, link) } }))
      sink.end()
      return
    }
    if (outcome.status === 'failed') {
      sink.write(frame({ error: { message: outcome.error?.message ?? 'The agent failed', type: 'server_error', param: null, code: outcome.error?.code ?? 'agent_failed' } }))
      sink.end()
      return
    }
    if (!streamed && outcome.text) sink.write(chunk({ content: outcome.text }))
    sink.write(chunk({}, outcome.status === 'cancelled' ? 'length' : 'stop'))
    if (body.stream_options?.include_usage === true) {
      sink.write(frame({ id: at.id, object: 'chat.completion.chunk', created: at.created, model, choices: [], usage: usageOf(outcome) }))
    }
    sink.write(DONE)
    sink.end()
  })().catch(() => sink.end())
  return response
}

async function collect(c: Context<GatewayEnv>, turn: AgentTurn, o: { model: string; link: string; at: { id: string; created: number } }): Promise<Response> {
  const onAbort = () => void turn.cancel()
  c.req.raw.signal?.addEventListener('abort', onAbort, { once: true })
  try {
    for await (const _ of turn.parts) {
      // The answer is the turn's outcome; the parts are read so the end is not taken early.
    }
  } finally {
    c.req.raw.signal?.removeEventListener('abort', onAbort)
  }
  const { outcome, approval } = await turn.result()
  if (approval && (outcome.status === 'awaiting_approval' || outcome.status === 'blocked')) throw approvalRequired(approval, o.link)
  if (outcome.status === 'failed') {
    throw new GatewayError(502, outcome.error?.code ?? 'agent_failed', outcome.error?.message ?? 'The agent failed', { openai: { type: 'server_error', code: outcome.error?.code ?? 'agent_failed' } })
  }
  const completion: ChatCompletion = {
    id: o.at.id,
    object: 'chat.completion',
    created: o.at.created,
    model: o.model,
    choices: [{ index: 0, message: { role: 'assistant', content: outcome.text }, finish_reason: outcome.status === 'cancelled' ? 'length' : 'stop' }],
    usage: usageOf(outcome),
  }
  return c.json(completion)
}

export const usageOf = (o: { inputTokens: number; outputTokens: number }) => ({ prompt_tokens: o.inputTokens, completion_tokens: o.outputTokens, total_tokens: o.inputTokens + o.outputTokens })
