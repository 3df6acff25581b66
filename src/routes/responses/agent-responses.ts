import type { Context } from 'hono'
import { randomHex } from '../../lib/crypto'
import { GatewayError } from '../../lib/errors'
import type { GatewayEnv } from '../../ports/env'
import type { ResponseOutputItem, ResponsesRequest } from '../../protocol/responses'
import type { ApprovalRecord } from '../../services/chat/port'
import type { RouteDeps } from '../deps'
import { agentModelOf, agentThreadOf, lastUserText } from '../agent-api/agent-model'
import { type AgentTurn, resumeAgentTurn, startAgentTurn, type TurnPart } from '../agent-api/agent-turn'
import { ResponseBuilder } from './response-builder'
import { openResponseStream } from './response-stream'
import { inputMessages } from './responses-input'

/** The `server_label` of the agent's own tools in `mcp_call` / `mcp_approval_request` items. */
export const AGENT_SERVER_LABEL = 'agent'

const AGENT_ID = /^resp_([0-9a-f]{32})_[0-9a-f]+$/
const APPROVAL_ID = /^mcpr_([0-9a-f-]{36})$/

/** An agent response's id names its thread, so `previous_response_id` continues the thread on any instance. */
export const agentResponseId = (threadId: string): string => `resp_${threadId.replace(/-/g, '')}_${randomHex(6)}`

/** The thread an agent response id names, or undefined for another id. */
export function threadOfResponse(id: string): string | undefined {
  const hex = AGENT_ID.exec(id)?.[1]
  return hex ? `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}` : undefined
}

const invalid = (message: string, code: string | null = null) => new GatewayError(400, 'invalid_request', message, { openai: { type: 'invalid_request_error', code } })

const approvalItem = (approval: Pick<ApprovalRecord, 'request_id' | 'tool_name' | 'parameters'>): ResponseOutputItem => ({
  type: 'mcp_approval_request', id: `mcpr_${approval.request_id}`, server_label: AGENT_SERVER_LABEL, name: approval.tool_name, arguments: approval.parameters,
})

/**
 * `POST /v1/responses` with model `agent` (or `agent:<thread-id>`): a turn of the caller's agent
 * answered as a Responses API response. Its tools are server-side, so they read as `mcp_call`
 * items; a tool that needs approval ends the response with an `mcp_approval_request`, and an
 * `mcp_approval_response` input item answers it and continues the turn (the Responses API's own
 * approval flow). `previous_response_id` continues the thread its id names.
 */
export async function agentResponse(c: Context<GatewayEnv>, d: RouteDeps, body: ResponsesRequest): Promise<Response> {
  const principal = c.get('principal')
  let threadId = agentThreadOf(body.model)
  if (body.previous_response_id) {
    const previous = threadOfResponse(body.previous_response_id)
    if (!previous) throw new GatewayError(404, 'previous_response_not_found', `Previous response with id '${body.previous_response_id}' not found.`, { openai: { type: 'invalid_request_error', code: 'previous_response_not_found' } })
    if (threadId && threadId !== previous) throw invalid('previous_response_id belongs to another thread than the model names')
    threadId = previous
  }
  const answer = Array.isArray(body.input) ? body.input.find((item) => item.type === 'mcp_approval_response') : undefined
  let turn: AgentTurn
  if (answer) {
    const requestId = APPROVAL_ID.exec(answer.approval_request_id ?? '')?.[1]
    if (!requestId || answer.approve === undefined) throw invalid('mcp_approval_response needs the approval_request_id of an mcp_approval_request and approve')
    turn = await resumeAgentTurn(d, principal, { requestId, approve: answer.approve })
  } else {
    const content = lastUserText(inputMessages(body.input))
    turn = await startAgentTurn(d, principal, { content, threadId, channel: 'api', source: 'api' }, { untilApproval: true })
  }
  const id = agentResponseId(turn.threadId)
  const model = agentModelOf(turn.threadId)
  const headers = { 'X-Gateway-Thread-Id': turn.threadId }
  if (!body.stream) {
    const onAbort = () => void turn.cancel()
    c.req.raw.signal?.addEventListener('abort', onAbort, { once: true })
    const builder = new ResponseBuilder(id, body, model, d.clock.now())
    try {
      await run(turn, builder)
    } finally {
      c.req.raw.signal?.removeEventListener('abort', onAbort)
    }
    if (builder.response.status === 'failed') {
      const error = builder.response.error!
      throw new GatewayError(502, error.code, error.message, { openai: { type: 'server_error', code: error.code } })
    }
    return c.json(builder.response, 200, headers)
  }
  const stream = openResponseStream(c, d, headers)
  stream.sink.onClose(() => void turn.cancel())
  const builder = new ResponseBuilder(id, body, model, d.clock.now(), stream.send)
  void run(turn, builder)
    .catch(() => undefined)
    .then(() => stream.sink.end())
  return stream.response
}

/** Renders the turn into the response: text, the agent's tool calls, then how it ended. */
async function run(turn: AgentTurn, builder: ResponseBuilder): Promise<void> {
  builder.start()
  let pending: Extract<TurnPart, { type: 'tool_completed' }> | undefined
  const flush = (output: string | null) => {
    if (!pending) return
    const call = pending
    pending = undefined
    builder.item({
      type: 'mcp_call', id: `mcp_${call.callId}`, server_label: AGENT_SERVER_LABEL, name: call.name, arguments: call.parameters ?? '{}',
      output: call.success ? output : null, error: call.success ? null : (call.error ?? 'failed'), status: call.success ? 'completed' : 'failed',
    })
  }
  let streamed = false
  for await (const part of turn.parts) {
    if (part.type === 'tool_result' && pending?.callId === part.callId) {
      flush(part.preview)
      continue
    }
    flush(null)
    if (part.type === 'text') {
      streamed = true
      builder.text(part.delta)
    } else if (part.type === 'tool_completed') pending = part
  }
  flush(null)
  const { outcome, approval } = await turn.result()
  if (!streamed && outcome.status === 'completed' && outcome.text) builder.text(outcome.text)
  if (approval && (outcome.status === 'awaiting_approval' || outcome.status === 'blocked')) builder.item(approvalItem(approval))
  const usage = { inputTokens: outcome.inputTokens, outputTokens: outcome.outputTokens }
  if (outcome.status === 'failed') builder.fail(outcome.error?.code ?? 'agent_failed', outcome.error?.message ?? 'The agent failed')
  else builder.complete(usage, outcome.status === 'cancelled' ? { incomplete: 'interrupted' } : {})
}
