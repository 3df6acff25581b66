import type { Context } from 'hono'
import { GatewayError } from '../../lib/errors'
import type { GatewayEnv } from '../../ports/env'
import type { ApprovalRecord } from '../../services/chat/port'
import type { RouteDeps } from '../deps'

/** The model id `/v1` clients pick to talk to the agent; `agent:<thread-id>` continues a thread. */
export const AGENT_MODEL = 'agent'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Whether a request's `model` names the agent. */
export const isAgentModel = (model: string): boolean => model === AGENT_MODEL || model.startsWith(`${AGENT_MODEL}:`)

/** The thread an `agent:<thread-id>` model continues (undefined for a new thread); 400 for a malformed id. */
export function agentThreadOf(model: string): string | undefined {
  if (model === AGENT_MODEL) return undefined
  const id = model.slice(AGENT_MODEL.length + 1)
  if (!UUID.test(id)) {
    throw new GatewayError(400, 'invalid_model', `Invalid model '${model}': use 'agent' or 'agent:<thread-id>' (a UUID)`, { openai: { type: 'invalid_request_error', code: 'model_not_found' } })
  }
  return id.toLowerCase()
}

/** The model id a reply names, so a client can continue the thread with it. */
export const agentModelOf = (threadId: string): string => `${AGENT_MODEL}:${threadId}`

/** `error` (end with the approval's id and link) or `wait` (hold the request until it is answered). */
export function approvalModeOf(c: Context<GatewayEnv>, d: RouteDeps): 'error' | 'wait' {
  const header = c.req.header('x-gateway-approvals')?.trim().toLowerCase()
  if (header === 'wait' || header === 'error') return header
  return d.config.agent.apiApprovals
}

/** The web app's page of a thread (where its approval card is), on the origin and mount the request came in by. */
export function threadLink(c: Context<GatewayEnv>, threadId: string): string {
  const url = new URL(c.req.url)
  const at = url.pathname.search(/\/(v1|api)\//)
  const mount = at > 0 ? url.pathname.slice(0, at) : ''
  return `${url.origin}${mount}/#/chat/${encodeURIComponent(threadId)}`
}

/** What an approval a client must answer looks like on the wire, beside the error's message. */
export const approvalFields = (approval: Pick<ApprovalRecord, 'request_id' | 'tool_name' | 'thread_id'>, link: string) => ({
  approval_id: approval.request_id,
  approval_url: link,
  tool_name: approval.tool_name,
  thread_id: approval.thread_id,
})

export const approvalMessage = (approval: Pick<ApprovalRecord, 'request_id' | 'tool_name' | 'description'>, link: string): string =>
  `The agent needs your approval to run the tool "${approval.tool_name}" (${approval.description}). ` +
  `Approve or deny request ${approval.request_id} at ${link} (or POST /api/chat/approval); the turn then continues in its thread.`

/** 409 `approval_required` (OpenAI's shape under `/v1`) naming the approval and where to answer it. */
export const approvalRequired = (approval: ApprovalRecord, link: string): GatewayError =>
  new GatewayError(409, 'approval_required', approvalMessage(approval, link), {
    details: approvalFields(approval, link),
    openai: { type: 'invalid_request_error', code: 'approval_required', fields: approvalFields(approval, link) },
  })

/** The text of the last user message of an OpenAI-style conversation (text parts joined). */
export function lastUserText(messages: ReadonlyArray<{ role: string; content?: unknown }>): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!
    if (m.role !== 'user') continue
    const text = textOf(m.content)
    if (text.trim()) return text
  }
  throw new GatewayError(400, 'missing_user_message', 'The agent needs a user message with text', { openai: { type: 'invalid_request_error', code: null } })
}

export function textOf(content: unknown): string {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return ''
  return content
    .map((part) => (part && typeof part === 'object' && typeof (part as { text?: unknown }).text === 'string' ? (part as { text: string }).text : ''))
    .filter(Boolean)
    .join('\n')
}
