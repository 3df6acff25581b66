import { Hono } from 'hono'
import type { RouteDeps } from './deps'
import type { GatewayEnv } from '../ports/env'
import { routeDoc } from '../middleware/route-doc'
import { need } from '../lib/errors'
import { jsonBody, params, query } from '../middleware/validate'
import {
  CreateJobRequest,
  JobCancelled,
  JobDetail,
  JobIdParam,
  JobLinks,
  JobList,
  JobListQuery,
  JobPromptAccepted,
  JobPromptRequest,
  JobRestarted,
  JobSummary,
  WorkspaceFile,
  WorkspaceListing,
  WorkspaceListQuery,
  WorkspaceReadQuery,
} from '../protocol/jobs'

/**
 * Sandbox jobs (contract.md §8): list, summary, detail, start, cancel, restart, follow-up prompts,
 * signed browse links, and the workspace files. Another user's job is 404 everywhere. The event
 * stream and `/projects` have their own auth (`jobStreamRoutes`, `projectRoutes`).
 */
export const jobRoutes = (d: RouteDeps) =>
  new Hono<GatewayEnv>()
    .get(
      '/api/jobs',
      routeDoc({ summary: "The caller's jobs, newest first", response: JobList }),
      query(JobListQuery),
      async (c) => {
        const jobs = need(d.services.jobs, 'jobs')
        return c.json({ jobs: await jobs.list(c.get('principal').userId, c.req.valid('query').limit) })
      },
    )
    .get('/api/jobs/summary', routeDoc({ summary: "Counts of the caller's jobs by state", response: JobSummary }), async (c) => {
      return c.json(await need(d.services.jobs, 'jobs').summary(c.get('principal').userId))
    })
    .post('/api/jobs', routeDoc({ summary: 'Start a job', response: JobDetail, status: 201 }), jsonBody(CreateJobRequest), async (c) => {
      const jobs = need(d.services.jobs, 'jobs')
      const principal = c.get('principal')
      const job = await jobs.create(principal.userId, c.req.valid('json'))
      // The detail's signed links are minted by the request's own credential (each use re-checks it).
      return c.json(await jobs.get(principal, job.id), 201)
    })
    .get('/api/jobs/:id', routeDoc({ summary: 'A job: state, transitions, result, links', response: JobDetail }), params(JobIdParam), async (c) => {
      return c.json(await need(d.services.jobs, 'jobs').get(c.get('principal'), c.req.valid('param').id))
    })
    .post(
      '/api/jobs/:id/cancel',
      routeDoc({ summary: 'Cancel a pending or running job; its processes are killed before this returns (409 when finished)', response: JobCancelled }),
      params(JobIdParam),
      async (c) => {
        const { id } = c.req.valid('param')
        await need(d.services.jobs, 'jobs').cancel(c.get('principal').userId, id)
        return c.json({ status: 'cancelled' as const, job_id: id })
      },
    )
    .post(
      '/api/jobs/:id/restart',
      routeDoc({ summary: 'Retry a failed or cancelled job as a new job in the same workspace (409 otherwise)', response: JobRestarted }),
      params(JobIdParam),
      async (c) => {
        const { id } = c.req.valid('param')
        const fresh = await need(d.services.jobs, 'jobs').restart(c.get('principal').userId, id)
        return c.json({ status: 'restarted' as const, old_job_id: id, new_job_id: fresh.id })
      },
    )
    .post(
      '/api/jobs/:id/prompt',
      routeDoc({ summary: 'Send a follow-up prompt to a running (queued) or completed (new turn) job', response: JobPromptAccepted }),
      params(JobIdParam),
      jsonBody(JobPromptRequest),
      async (c) => {
        const { id } = c.req.valid('param')
        const status = await need(d.services.jobs, 'jobs').prompt(c.get('principal').userId, id, c.req.valid('json'))
        return c.json({ status, job_id: id })
      },
    )
    .get(
      '/api/jobs/:id/browse-url',
      routeDoc({ summary: 'Signed, short-lived links to the job files (new tab) and its event stream (EventSource)', response: JobLinks }),
      params(JobIdParam),
      async (c) => {
        return c.json(await need(d.services.jobs, 'jobs').links(c.get('principal'), c.req.valid('param').id))
      },
    )
    .get(
      '/api/jobs/:id/files/list',
      routeDoc({ summary: 'List a directory of the job workspace (directories first)', response: WorkspaceListing }),
      params(JobIdParam),
      query(WorkspaceListQuery),
      async (c) => {
        return c.json(await need(d.services.jobs, 'jobs').listFiles(c.get('principal').userId, c.req.valid('param').id, c.req.valid('query').path))
      },
    )
    .get(
      '/api/jobs/:id/files/read',
      routeDoc({ summary: 'Read a workspace file as UTF-8 (cut at the read cap; binary files have content null)', response: WorkspaceFile }),
      params(JobIdParam),
      query(WorkspaceReadQuery),
      async (c) => {
        return c.json(await need(d.services.jobs, 'jobs').readFile(c.get('principal').userId, c.req.valid('param').id, c.req.valid('query').path))
      },
    )
