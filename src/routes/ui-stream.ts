import { Hono, type Context } from 'hono'
import { z } from 'zod'
import { openSseBody } from '../hub/sse-response'
import { sha256Hex } from '../lib/crypto'
import { badRequest } from '../lib/errors'
import { routeDoc } from '../middleware/route-doc'
import { jsonBody, params } from '../middleware/validate'
import type { GatewayEnv } from '../ports/env'
import type { Principal } from '../ports/principal'
import { UiMessageChunk, type UiMessage, UiStreamRequest } from '../protocol/ui-stream'
import type { RouteDeps } from './deps'
import { textOf } from './agent-api/agent-model'
import { type AgentTurn, followAgentTurn, resumeAgentTurn, startAgentTurn } from './agent-api/agent-turn'
import { type UiChunk, writeUiMessage } from './ui-stream/ui-message-writer'

const encoder = new TextEncoder()
const DONE = encoder.encode('data: [DONE]\n\n')
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
/** The protocol's header: `useChat` reads the body as a UI message stream only with it. */
const UI_STREAM_HEADERS = { 'x-vercel-ai-ui-message-stream': 'v1' }

/** The thread a chat id of this user maps to when it is not one of their threads: stable, and no other user's. */
async function derivedThreadId(userId: string, chatId: string): Promise<string> {
  const hex = await sha256Hex(`ui-stream\u0000${userId}\u0000${chatId}`)
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}

/** The caller's thread for a chat id (`existing`), or the id a new one gets. */
async function threadOf(d: RouteDeps, principal: Principal, chatId: string): Promise<{ existing?: string; newId?: string }> {
  const threads = d.services.threads
  const owned = async (id: string) => (threads ? threads.resolveThread(principal.userId, id, '').then(() => true, () => false) : false)
  if (UUID.test(chatId) && (await owned(chatId.toLowerCase()))) return { existing: chatId.toLowerCase() }
  const derived = await derivedThreadId(principal.userId, chatId)
  return (await owned(derived)) ? { existing: derived } : { newId: derived }
}

const lastUserText = (message: UiMessage): string => {
  if (message.role !== 'user') throw badRequest('missing_user_message', 'The last message must be the user\'s (or an assistant message answering a tool approval)')
  const text = textOf(message.parts.filter((p) => p.type === 'text'))
  if (!text.trim()) throw badRequest('missing_user_message', 'The user message has no text')
  return text
}

function streamTurn(c: Context<GatewayEnv>, d: RouteDeps, turn: AgentTurn, options: { messageId?: string | undefined; textSoFar?: string; answered?: { approvalId: string; toolCallId: string } }): Response {
  const { sink, response } = openSseBody(c, d.runtime, { keepAlive: d.hub.keepAlive, headers: { ...UI_STREAM_HEADERS, 'X-Gateway-Thread-Id': turn.threadId } })
  let gone = false
  // The AI SDK's stop() aborts the request: the run stops with it.
  sink.onClose(() => {
    gone = true
    void turn.cancel()
  })
  const send = (chunk: UiChunk) => {
    if (!gone) sink.write(encoder.encode(`data: ${JSON.stringify(chunk)}\n\n`))
  }
  void writeUiMessage(turn, send, { ...options, gone: () => gone })
    .catch((error: unknown) => send({ type: 'error', errorText: error instanceof Error ? error.message : String(error) }))
    .then(() => {
      if (!gone) sink.write(DONE)
      sink.end()
    })
  return response
}

/**
 * The AI SDK's UI message stream for `useChat` (its default transport, `api: '/api/chat/ui-stream'`):
 * each request runs a turn of the caller's agent in a thread the web app shows and streams it as
 * typed parts. An assistant message answering a tool approval (`addToolApprovalResponse`)
 * resumes the paused turn; `GET .../:id/stream` reattaches to a running one (`resume: true`);
 * aborting the request (`stop()`) stops the run. Draws from the model-call budget like chat.
 */
export const uiStreamRoutes = (d: RouteDeps) =>
  new Hono<GatewayEnv>()
    .post(
      '/api/chat/ui-stream',
      routeDoc({ summary: 'AI SDK UI message stream (useChat): a turn of the agent as typed SSE parts, tool approvals, stop', response: UiMessageChunk }),
      jsonBody(UiStreamRequest),
      async (c) => {
        const principal = c.get('principal')
        const body = c.req.valid('json')
        const last = body.messages.at(-1)!
        const answer = last.role === 'assistant' ? last.parts.find((p) => p.state === 'approval-responded' && p.approval?.approved !== undefined) : undefined
        const permit = await d.budget.take(principal.userId, 'chat')
        try {
          if (answer) {
            const turn = await resumeAgentTurn(d, principal, { requestId: answer.approval!.id, approve: answer.approval!.approved! })
            return streamTurn(c, d, turn, { answered: { approvalId: answer.approval!.id, toolCallId: answer.toolCallId ?? answer.approval!.id } })
          }
          const content = lastUserText(last)
          const thread = await threadOf(d, principal, body.id)
          const turn = await startAgentTurn(d, principal, { content, threadId: thread.existing, channel: 'api', source: 'api', ...(thread.newId ? { newThreadId: thread.newId } : {}) }, { untilApproval: true })
          return streamTurn(c, d, turn, { messageId: body.messageId })
        } catch (error) {
          // Nothing started: the request does not count against the user.
          await permit.refund()
          throw error
        }
      },
    )
    .get(
      '/api/chat/ui-stream/:id/stream',
      routeDoc({ summary: 'Reattach to the running turn of a useChat chat (AI SDK `resume: true`); 204 when none runs', response: UiMessageChunk }),
      params(z.object({ id: z.string().min(1).max(256) })),
      async (c) => {
        const principal = c.get('principal')
        const thread = await threadOf(d, principal, c.req.valid('param').id)
        const followed = thread.existing ? await followAgentTurn(d, principal, thread.existing) : undefined
        if (!followed) return c.body(null, 204)
        return streamTurn(c, d, followed.turn, { textSoFar: followed.textSoFar })
      },
    )
