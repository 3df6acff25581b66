import { Hono } from 'hono'
import { z } from 'zod'
import type { RouteDeps } from '../gateway/deps'
import type { GatewayEnv } from '../gateway/env'
import { describe } from '../gateway/openapi-registry'
import { lastEventId, openSseResponse } from '../hub/sse-response'
import { params, query } from '../middleware/validate'
import { JobEventList } from '../protocol/jobs'
import { authorizeJob } from './job-access'
import { JobIdParam } from './jobs'

const EventsQuery = z.object({
  /** A signed events link (`events_url`), for EventSource, which cannot send a bearer header. */
  ticket: z.string().max(128).optional(),
  /** JSON form: events with a larger id than this. */
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(500),
  last_event_id: z.string().optional(),
})

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
    describe({ summary: "A job's events: SSE (replay + live, Last-Event-ID) or JSON", response: JobEventList }),
    params(JobIdParam),
    query(EventsQuery),
    async (c) => {
      const input = c.req.valid('query')
      const { jobs, job, principal } = await authorizeJob(c, d, c.req.valid('param').id, { scope: 'events', token: input.ticket })
      if (!(c.req.header('accept') ?? '').includes('text/event-stream')) {
        const events = await jobs.repo.events(job.id, input.after, input.limit + 1)
        return c.json({
          job_id: job.id,
          events: events.slice(0, input.limit).map((e) => ({ id: e.seq, event_type: e.type, data: e.data, created_at: e.createdAt })),
          has_more: events.length > input.limit,
        })
      }
      const limits = d.config.limits
      const reservation = d.hub.reserve(job.userId, 'sse', { role: principal.role })
      try {
        const { sink, response } = openSseResponse(c, d.runtime, { queue: limits.subscriberQueue, bufferBytes: limits.subscriberBufferBytes })
        sink.onClose(() => reservation.release())
        jobs.streams.open(job, sink, lastEventId(c) ?? 0, limits.keepAliveMs, { tokenId: principal.tokenId })
        return response
      } catch (error) {
        reservation.release()
        throw error
      }
    },
  )
