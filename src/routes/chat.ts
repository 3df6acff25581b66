import { Hono } from 'hono'
import type { RouteDeps } from './deps'
import type { GatewayEnv } from '../ports/env'
import { routeDoc } from '../middleware/route-doc'
import { need } from '../lib/errors'
import { jsonBody, optionalJsonBody, query } from '../middleware/validate'
import {
  ApprovalAccepted,
  ApprovalRequest,
  AuthCancelRequest,
  AuthTokenRequest,
  CancelRequest,
  CancelResponse,
  HistoryQuery,
  HistoryResponse,
  NewThreadRequest,
  SendMessageAccepted,
  ThreadInfo,
  ThreadList,
  ThreadListQuery,
} from '../protocol/chat'
import { ActionResponse } from '../protocol/errors'
import { messageBody } from './uploads'

const JSON_TYPE = { 'Content-Type': 'application/json' }

/** Chat commands over REST; the WebSocket frames run the same `ChatCommands`. */
export const chatRoutes = (d: RouteDeps) =>
  new Hono<GatewayEnv>()
    .post(
      '/api/chat/send',
      routeDoc({ summary: 'Send a message to the agent; output arrives as events', response: SendMessageAccepted, status: 202 }),
      messageBody(d),
      async (c) => c.json(await d.commands.send(c.get('principal'), c.req.valid('json'), 'http', c.req.header('x-timezone')), 202),
    )
    .post(
      '/api/chat/approval',
      routeDoc({ summary: 'Approve, deny or always-allow a pending tool call', response: ApprovalAccepted, status: 202 }),
      jsonBody(ApprovalRequest),
      async (c) => c.json(await d.commands.approve(c.get('principal'), c.req.valid('json')), 202),
    )
    .post('/api/chat/cancel', routeDoc({ summary: 'Stop the running turn of a thread (also answers a pending approval as cancelled)', response: CancelResponse }), jsonBody(CancelRequest), async (c) =>
      c.json(await d.commands.cancel(c.get('principal'), c.req.valid('json').thread_id)),
    )
    .post('/api/chat/auth-token', routeDoc({ summary: 'Submit a credential an extension asked for', response: ActionResponse }), jsonBody(AuthTokenRequest), async (c) => {
      const { extension_name, token } = c.req.valid('json')
      return c.json(await d.commands.authToken(c.get('principal'), extension_name, token))
    })
    .get(
      '/api/chat/history',
      routeDoc({ summary: 'A page of turns of a thread (oldest first), its pending approval and running turn', response: HistoryResponse }),
      query(HistoryQuery),
      (c): Response | Promise<Response> => {
        const json = need(d.services.threads, 'threads').historyJson(c.get('principal').userId, c.req.valid('query'))
        return typeof json === 'string' ? c.body(json, 200, JSON_TYPE) : json.then((text) => c.body(text, 200, JSON_TYPE))
      },
    )
    .get(
      '/api/chat/threads',
      routeDoc({ summary: 'The assistant thread and the other threads, newest activity first', response: ThreadList }),
      query(ThreadListQuery),
      async (c) => c.json(await need(d.services.threads, 'threads').listThreads(c.get('principal').userId, c.req.valid('query'))),
    )
    // No fields, but a body, if any, must be JSON: the same 415 gate as every JSON route.
    .post('/api/chat/thread/new', routeDoc({ summary: 'Create an empty thread', response: ThreadInfo }), optionalJsonBody(NewThreadRequest), async (c) =>
      c.json(await need(d.services.threads, 'threads').createThread(c.get('principal').userId)),
    )
    .post('/api/chat/auth-cancel', routeDoc({ summary: 'Cancel a pending extension auth flow', response: ActionResponse }), jsonBody(AuthCancelRequest), async (c) =>
      c.json(await d.commands.authCancel(c.get('principal'), c.req.valid('json').extension_name)),
    )
