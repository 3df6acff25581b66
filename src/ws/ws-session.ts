import type { IncomingMessage } from '../hub/channel'
import { GatewayError } from '../lib/errors'
import { parseJson } from '../middleware/validate'
import type { Principal } from '../ports/principal'
import type { ApprovalRequest, SendMessageRequest } from '../protocol/chat'
import type { ActionResponse } from '../protocol/errors'
import { WsClientFrame, type WsServerFrame } from '../protocol/ws'

/** The two things a session needs from a socket; runtime WebSockets all provide them. */
export interface SocketPort {
  send(text: string): void
  close(code: number, reason: string): void
}

/** The chat commands a session runs: the gateway's `ChatCommands`, shared with REST and `/v1`. */
export interface ChatIngress {
  send(principal: Principal, input: SendMessageRequest, source: IncomingMessage['source']): Promise<Record<string, unknown>>
  approve(principal: Principal, input: ApprovalRequest): Promise<Record<string, unknown>>
  cancel(principal: Principal, threadId: string): Promise<Record<string, unknown>>
  authToken(principal: Principal, extensionName: string, token: string): Promise<ActionResponse>
  authCancel(principal: Principal, extensionName: string): Promise<ActionResponse>
}

/**
 * The WebSocket protocol of `/api/chat/ws` for one connection: validates every client frame with
 * zod and runs it through the same `ChatCommands` as REST. A bad frame gets an error frame and
 * the socket stays open; a frame with an `id` is always answered (ack or error) with that id.
 */
export class WsSession {
  constructor(
    private readonly socket: SocketPort,
    private readonly principal: Principal,
    private readonly commands: ChatIngress,
  ) {}

  async handle(data: unknown): Promise<void> {
    // RFC 6455 §7.4.1: 1003 is the close for a data type the endpoint cannot accept.
    if (typeof data !== 'string') return this.socket.close(1003, 'Binary frames are not supported')
    let raw: unknown
    try {
      raw = parseJson(data)
    } catch (error) {
      if (error instanceof GatewayError) return this.#send({ type: 'error', code: error.code, message: error.message })
      return this.#send({ type: 'error', code: 'invalid_message', message: `Invalid message: ${(error as Error).message}` })
    }
    const parsed = WsClientFrame.safeParse(raw)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      const id = typeof (raw as { id?: unknown })?.id === 'string' ? ((raw as { id: string }).id) : undefined
      return this.#send({
        type: 'error',
        code: 'invalid_message',
        message: `Invalid message: ${issue ? `${issue.path.join('.') || 'frame'}: ${issue.message}` : 'unknown frame'}`,
        ...(id ? { id } : {}),
      })
    }
    const frame = parsed.data
    if (frame.type === 'ping') return this.#send(frame.id ? { type: 'pong', id: frame.id } : { type: 'pong' })
    try {
      const result = await this.#run(frame)
      if (frame.id) this.#send({ type: 'ack', id: frame.id, result })
    } catch (error) {
      const known = error instanceof GatewayError
      this.#send({
        type: 'error',
        code: known ? error.code : 'internal_error',
        message: known ? error.message : 'Internal error',
        ...(frame.id ? { id: frame.id } : {}),
      })
    }
  }

  async #run(frame: Exclude<WsClientFrame, { type: 'ping' }>): Promise<Record<string, unknown>> {
    const p = this.principal
    switch (frame.type) {
      case 'message':
        return this.commands.send(p, { content: frame.content, thread_id: frame.thread_id, timezone: frame.timezone, images: frame.images }, 'ws')
      case 'approval':
        return this.commands.approve(p, { request_id: frame.request_id, action: frame.action, thread_id: frame.thread_id })
      case 'cancel':
        return this.commands.cancel(p, frame.thread_id)
      case 'auth_token':
        return this.commands.authToken(p, frame.extension_name, frame.token)
      case 'auth_cancel':
        return this.commands.authCancel(p, frame.extension_name)
    }
  }

  #send(frame: WsServerFrame): void {
    try {
      this.socket.send(JSON.stringify(frame))
    } catch {
      // the socket is closing; nothing to tell
    }
  }
}
