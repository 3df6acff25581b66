/**
 * `agent-gateway/protocol`: the wire contract. Every request, response, event and WebSocket frame
 * as a zod schema with its type (`type X = z.infer<typeof X>`), the same ones the routes
 * validate with and the web app is typed from.
 *
 * @example
 * ```ts
 * import { AppEvent, SendMessageRequest } from 'agent-gateway/protocol'
 *
 * const body = SendMessageRequest.parse(await request.json())
 * const event: AppEvent = { type: 'status', message: 'working' }
 * ```
 * @module
 */
export * from '../protocol/index'
// How a routine webhook delivery is signed, for the systems that send them.
export { signWebhook } from '../services/routines/webhook-signature'
