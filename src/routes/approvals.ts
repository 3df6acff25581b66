import { Hono } from 'hono'
import type { RouteDeps } from './deps'
import type { GatewayEnv } from '../ports/env'
import { routeDoc } from '../middleware/route-doc'
import { unavailable } from '../lib/errors'
import { query } from '../middleware/validate'
import { ApprovalList, ApprovalListQuery } from '../protocol/approvals'

/** The caller's approvals across all their threads: the web app's inbox. Answers go to `POST /api/chat/approval`. */
export const approvalRoutes = (d: RouteDeps) =>
  new Hono<GatewayEnv>().get(
    '/api/approvals',
    routeDoc({ summary: "The caller's approvals in every thread (pending, resolved or expired), newest first, with the pending count", response: ApprovalList }),
    query(ApprovalListQuery),
    async (c) => {
      const threads = d.services.threads
      if (!threads?.approvals) throw unavailable('approvals', 'Approvals are not listed by this gateway (no chat store)')
      return c.json(await threads.approvals(c.get('principal').userId, c.req.valid('query')))
    },
  )
