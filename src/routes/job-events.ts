import { Hono } from 'hono'
import type { RouteDeps } from './deps'
import type { GatewayEnv } from '../ports/env'
import { routeDoc } from '../middleware/route-doc'
import { lastEventId, openSseResponse } from '../hub/sse-response'
import { params, query } from '../middleware/validate'
import { JobEventList, JobEventsQuery, JobIdParam } from '../protocol/jobs'
import { authorizeJob } from './job-access'

/**
 * `GET /api/jobs/{id}/events`: with `Accept: text/event-stream`, an SSE stream that replays the
 * job's persisted events after `Last-Event-ID` and then follows new ones (frames `event: job_*`,
 * `id: <seq>`); otherwise the persisted events as JSON (the original gateway's shape), paged with
 * `after`. Authorised by the bearer header or a signed `?ticket=` (the detail's `events_url`).
 * Each stream takes one of the caller's connection slots (503 over the cap).
 */
export const jobStreamRoutes = (d: RouteDeps) =>
  new Hono<GatewayEnv>().get(
    '/api/jobs/:id/events',
    routeDoc({ summary: "A job's events: SSE (replay + live, Last-Event-ID) or JSON", response: JobEventList }),
    params(JobIdParam),
    query(JobEventsQuery),
    async (c) => {
      const input = c.req.valid('query')
      const { jobs, job, principal } = await authorizeJob(c, d, c.req.valid('param').id, { scope: 'events', token: input.ticket })
      if (!(c.req.header('accept') ?? '').includes('text/event-stream')) return c.json(await jobs.events(job, input.after, input.limit))
      const limits = d.config.limits
      const reservation = d.hub.reserve(job.user_id, 'sse', { role: principal.role })
      try {
        const { sink, response } = openSseResponse(c, d.runtime, { queue: limits.subscriberQueue, bufferBytes: limits.subscriberBufferBytes, keepAlive: d.hub.keepAlive })
        sink.onClose(() => reservation.release())
        jobs.streamEvents(job, sink, lastEventId(c) ?? 0, { tokenId: principal.tokenId })
        return response
      } catch (error) {
        reservation.release()
        throw error
      }
    },
  )
