import { randomHex } from '../../lib/crypto'
import type { AgentTurn, TurnPart } from '../agent-api/agent-turn'

export type UiChunk = { type: string } & Record<string, unknown>

/** The agent's tools ran on the gateway: dynamic (the app declares none of them), provider-executed. */
const TOOL = { dynamic: true, providerExecuted: true } as const

const parseInput = (parameters: string | undefined): unknown => {
  if (parameters === undefined) return {}
  try {
    return JSON.parse(parameters)
  } catch {
    return parameters
  }
}

/**
 * Renders a followed turn as the AI SDK's UI message stream parts: `start` (the thread id in
 * its metadata), text in `text-start` / `text-delta` / `text-end` blocks, the agent's tool calls
 * as dynamic tool parts (`tool-input-available`, `tool-output-available` / `-error` / `-denied`),
 * an approval as `tool-approval-request` (the AI SDK's tool approval flow), then `finish`.
 */
export async function writeUiMessage(
  turn: AgentTurn,
  send: (chunk: UiChunk) => void,
  options: { messageId?: string | undefined; textSoFar?: string | undefined; gone: () => boolean; answered?: { approvalId: string; toolCallId: string } | undefined },
): Promise<void> {
  send({ type: 'start', ...(options.messageId ? { messageId: options.messageId } : {}), messageMetadata: { thread_id: turn.threadId } })
  // An approval's answer continues the client's last assistant message and its step: its tool part is updated in place.
  if (!options.answered) send({ type: 'start-step' })
  let text: string | undefined
  let streamed = false
  const openText = () => {
    if (text) return text
    text = `text_${randomHex(8)}`
    send({ type: 'text-start', id: text })
    return text
  }
  const closeText = () => {
    if (!text) return
    send({ type: 'text-end', id: text })
    text = undefined
  }
  const inputs = new Set<string>(options.answered ? [options.answered.toolCallId] : [])
  const input = (callId: string, name: string, parameters: string | undefined) => {
    if (inputs.has(callId)) return
    inputs.add(callId)
    send({ type: 'tool-input-available', toolCallId: callId, toolName: name, input: parseInput(parameters), ...TOOL })
  }
  /** Calls waiting for an answer, by approval id, so a denial closes the right part. */
  const approvals = new Map<string, string>(options.answered ? [[options.answered.approvalId, options.answered.toolCallId]] : [])
  if (options.textSoFar) {
    streamed = true
    send({ type: 'text-delta', id: openText(), delta: options.textSoFar })
  }
  for await (const part of turn.parts) {
    if (options.gone()) continue
    render(part)
  }
  function render(part: TurnPart): void {
    switch (part.type) {
      case 'text':
        streamed = true
        send({ type: 'text-delta', id: openText(), delta: part.delta })
        return
      case 'tool_started':
        closeText()
        if (!inputs.has(part.callId)) send({ type: 'tool-input-start', toolCallId: part.callId, toolName: part.name, ...TOOL })
        return
      case 'tool_completed':
        input(part.callId, part.name, part.parameters)
        if (!part.success) send({ type: 'tool-output-error', toolCallId: part.callId, errorText: part.error ?? 'The tool failed', ...TOOL })
        return
      case 'tool_result':
        send({ type: 'tool-output-available', toolCallId: part.callId, output: part.preview, ...TOOL })
        return
      case 'approval_needed':
        closeText()
        input(part.callId, part.approval.tool_name, part.approval.parameters)
        approvals.set(part.approval.request_id, part.callId)
        send({ type: 'tool-approval-request', approvalId: part.approval.request_id, toolCallId: part.callId })
        return
      case 'approval_resolved': {
        const callId = approvals.get(part.requestId)
        if (callId && part.action !== 'approve' && part.action !== 'always') send({ type: 'tool-output-denied', toolCallId: callId })
        return
      }
    }
  }
  const { outcome, approval } = await turn.result()
  if (options.gone()) return
  if (!streamed && outcome.status === 'completed' && outcome.text) send({ type: 'text-delta', id: openText(), delta: outcome.text })
  closeText()
  if (approval && outcome.status === 'blocked') {
    // The thread already waits for this approval: ask for it again rather than answer nothing.
    input(approval.call_id, approval.tool_name, approval.parameters)
    send({ type: 'tool-approval-request', approvalId: approval.request_id, toolCallId: approval.call_id })
  }
  send({ type: 'finish-step' })
  if (outcome.status === 'failed') {
    send({ type: 'error', errorText: outcome.error?.message ?? 'The agent failed' })
    return
  }
  if (outcome.status === 'cancelled') {
    send({ type: 'abort', reason: outcome.error?.message ?? 'Stopped' })
    return
  }
  send({ type: 'finish', finishReason: outcome.status === 'completed' ? 'stop' : 'tool-calls', messageMetadata: { thread_id: turn.threadId, input_tokens: outcome.inputTokens, output_tokens: outcome.outputTokens } })
}
