import type { Principal } from '../ports/principal'
import { badRequest, GatewayError, need, notFound } from '../lib/errors'
import type { Clock } from '../lib/time'
import type { ModelCallBudget, ModelCallLimiter } from '../lib/model-call-budget'
import { ApprovalAction, type ApprovalRequest, type SendMessageAccepted, type SendMessageRequest } from '../protocol/chat'
import type { ActionResponse } from '../protocol/errors'
import type { Services } from '../services/services'
import type { IncomingMessage, WebChannel } from '../hub/channel'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * The chat commands shared by REST (`/api/chat/*`), WebSocket frames and the OpenAI proxy, so
 * every ingress gets the same validation, model-call budget, thread ownership check and errors.
 */
export class ChatCommands {
  constructor(
    private readonly channel: WebChannel,
    private readonly services: Services,
    /** The per-user model-call budget, shared with `/v1`, routines and jobs. */
    readonly budget: ModelCallBudget,
    private readonly clock: Clock,
  ) {}

  /** The budget's counts (tests and diagnostics). */
  get limiter(): ModelCallLimiter {
    return this.budget.limiter
  }

  async send(principal: Principal, input: SendMessageRequest, source: IncomingMessage['source'], timezoneHeader?: string): Promise<SendMessageAccepted> {
    const permit = await this.budget.take(principal.userId, 'chat')
    try {
      if (!this.channel.agent) throw new GatewayError(503, 'agent_unavailable', 'Channel not started: no agent is attached to the gateway')
      await this.services.usage?.assertWithinBudget(principal.userId)
      const threadId = await this.#resolveThread(principal.userId, input.thread_id, input.content)
      const message: IncomingMessage = {
        id: crypto.randomUUID(),
        userId: principal.userId,
        threadId,
        content: input.content,
        images: input.images ?? [],
        timezone: input.timezone ?? timezoneHeader,
        source,
        receivedAt: new Date(this.clock.now()).toISOString(),
      }
      await this.channel.deliver(message)
      return { message_id: message.id, status: 'accepted', thread_id: threadId }
    } catch (error) {
      // A message that was never handed to the agent does not count against the user.
      await permit.refund()
      throw error
    }
  }

  /**
   * A message ready for `channel.run`, for ingresses that follow the turn themselves (the agent
   * model on `/v1`, the UI message stream): the daily budget checked, the thread resolved (the
   * caller's, 404 otherwise; a new one on `channel` when none is named). The caller has drawn
   * the model-call budget already.
   */
  async prepareMessage(
    principal: Principal,
    input: { content: string; thread_id?: string | undefined },
    source: IncomingMessage['source'],
    options: { channel?: string; newThreadId?: string } = {},
  ): Promise<IncomingMessage> {
    if (!this.channel.agent?.runMessage) {
      throw new GatewayError(503, 'agent_unavailable', 'No attached agent can run a message to completion', { openai: { type: 'server_error', code: 'agent_unavailable' } })
    }
    await this.services.usage?.assertWithinBudget(principal.userId)
    if (input.thread_id !== undefined && !UUID.test(input.thread_id)) throw badRequest('invalid_thread_id', 'Invalid thread_id (expected UUID)')
    const threads = this.services.threads
    const created = { ...(options.channel ? { channel: options.channel } : {}), ...(options.newThreadId ? { id: options.newThreadId } : {}) }
    const threadId = threads
      ? await threads.resolveThread(principal.userId, input.thread_id?.toLowerCase(), input.content, created)
      : (input.thread_id?.toLowerCase() ?? options.newThreadId ?? crypto.randomUUID())
    return {
      id: crypto.randomUUID(),
      userId: principal.userId,
      threadId,
      content: input.content,
      images: [],
      source,
      receivedAt: new Date(this.clock.now()).toISOString(),
    }
  }

  /** Resolves an `approval_needed` request. 404 unknown request, 409 already answered. */
  async approve(principal: Principal, input: ApprovalRequest): Promise<{ status: 'accepted'; request_id: string }> {
    const action = ApprovalAction.safeParse(input.action)
    if (!action.success) throw badRequest('invalid_action', `Unknown action: ${input.action}`)
    if (!UUID.test(input.request_id)) throw badRequest('invalid_request_id', 'Invalid request_id (expected UUID)')
    const agent = this.channel.agent
    if (!agent?.onApproval) throw new GatewayError(503, 'agent_unavailable', 'Channel not started: no agent handles approvals')
    const outcome = await agent.onApproval({
      userId: principal.userId,
      requestId: input.request_id.toLowerCase(),
      action: action.data,
      threadId: input.thread_id,
    })
    if (outcome === 'not_found') throw notFound('approval', 'No pending approval with that request_id')
    if (outcome === 'resolved') return { status: 'accepted', request_id: input.request_id }
    // The stored request says what the first answer was, or which decisions it takes.
    const stored = await this.services.turns?.getApproval(input.request_id.toLowerCase())
    if (outcome === 'expired') {
      throw new GatewayError(410, 'approval_expired', 'That approval expired before it was answered', { details: { expires_at: stored?.expires_at ?? null, resolved_at: stored?.resolved_at ?? null } })
    }
    if (outcome === 'not_allowed') {
      const allowed = stored?.decisions ?? []
      throw badRequest('action_not_allowed', `This approval takes ${allowed.map((d) => `'${d}'`).join(' or ') || 'no answer'}, not '${action.data}'`, { allowed })
    }
    const decision = stored?.decision ?? null
    throw new GatewayError(409, 'approval_already_resolved', `That approval was already answered${decision ? ` (${decision})` : ''}`, {
      details: { decision, resolved_at: stored?.resolved_at ?? null },
    })
  }

  /** Stops the running turn of a thread. 404 when the thread is not the caller's. */
  async cancel(principal: Principal, threadId: string): Promise<{ status: 'cancelled' | 'idle'; thread_id: string }> {
    const agent = this.channel.agent
    if (!agent?.onCancel) throw new GatewayError(503, 'agent_unavailable', 'Channel not started: no agent handles cancellation')
    const owned = await this.#resolveThread(principal.userId, threadId, '', { mustExist: true })
    const stopped = await agent.onCancel({ userId: principal.userId, threadId: owned })
    return { status: stopped ? 'cancelled' : 'idle', thread_id: owned }
  }

  authToken(principal: Principal, extensionName: string, token: string): Promise<ActionResponse> {
    return need(this.services.extensionAuth, 'extensions').submitToken(principal.userId, extensionName, token)
  }

  async authCancel(principal: Principal, extensionName: string): Promise<ActionResponse> {
    await need(this.services.extensionAuth, 'extensions').cancelAuth(principal.userId, extensionName)
    return { success: true, message: 'Auth cancelled' }
  }

  async #resolveThread(userId: string, threadId: string | undefined, firstMessage: string, options: { mustExist?: boolean } = {}): Promise<string> {
    if (threadId !== undefined && !UUID.test(threadId)) throw badRequest('invalid_thread_id', 'Invalid thread_id (expected UUID)')
    const threads = this.services.threads
    if (threads) return threads.resolveThread(userId, threadId?.toLowerCase(), firstMessage)
    if (options.mustExist && threadId === undefined) throw notFound('thread')
    return threadId?.toLowerCase() ?? crypto.randomUUID()
  }
}
