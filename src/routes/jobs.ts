import { Hono } from 'hono'
import { z } from 'zod'
import type { Principal } from '../auth/principal'
import type { RouteDeps } from '../gateway/deps'
import type { GatewayEnv } from '../gateway/env'
import { describe } from '../gateway/openapi-registry'
import { need } from '../lib/errors'
import { jsonBody, params, query } from '../middleware/validate'
import {
  CreateJobRequest,
  JobCancelled,
  JobDetail,
  type JobDetail as Detail,
  JobLinks,
  JobList,
  type JobListItem,
  JobPromptAccepted,
  JobPromptRequest,
  JobRestarted,
  JobSummary,
  WorkspaceFile,
  WorkspaceListing,
} from '../protocol/jobs'
import type { JobRecord } from '../services/jobs/job-repository'
import type { JobsService } from '../services/jobs/jobs-service'

export const JobIdParam = z.object({ id: z.uuid('Invalid job ID') })

const listItem = (job: JobRecord): JobListItem => ({
  id: job.id,
  title: job.title,
  state: job.status,
  kind: job.kind,
  user_id: job.userId,
  created_at: job.createdAt,
  started_at: job.startedAt,
  completed_at: job.completedAt,
})

/** The job as the API shows it: state-derived flags (gap 33) and fresh signed links. */
export async function jobDetail(jobs: JobsService, job: JobRecord, principal: Principal, now: number): Promise<Detail> {
  const links = await jobs.links(job, principal)
  const started = job.startedAt ? Date.parse(job.startedAt) : null
  const ended = job.completedAt ? Date.parse(job.completedAt) : now
  return {
    ...listItem(job),
    description: job.prompt,
    elapsed_secs: started === null ? null : Math.max(0, Math.floor((ended - started) / 1000)),
    browse_url: links.browse_url,
    events_url: links.events_url,
    links_expire_at: links.expires_at,
    job_kind: 'sandbox',
    ...(job.command ? { job_mode: job.command } : {}),
    transitions: job.transitions,
    can_cancel: jobs.canCancel(job),
    can_restart: jobs.canRestart(job),
    can_prompt: jobs.canPrompt(job),
    result: job.result,
    failure_reason: job.failureReason,
    usage: { input_tokens: job.inputTokens, output_tokens: job.outputTokens },
    restarted_from: job.restartedFrom,
    thread_id: job.threadId,
  }
}

/**
 * Sandbox jobs (contract.md §8): list, summary, detail, start, cancel, restart, follow-up prompts,
 * signed browse links, and the workspace files. Another user's job is 404 everywhere. The event
 * stream and `/projects` have their own auth (`jobStreamRoutes`, `projectRoutes`).
 */
export const jobRoutes = (d: RouteDeps) =>
  new Hono<GatewayEnv>()
    .get(
      '/api/jobs',
      describe({ summary: "The caller's jobs, newest first", response: JobList }),
      query(z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) })),
      async (c) => {
        const jobs = need(d.services.jobs, 'jobs')
        const list = await jobs.list(c.get('principal').userId, c.req.valid('query').limit)
        return c.json({ jobs: list.map(listItem) })
      },
    )
    .get('/api/jobs/summary', describe({ summary: "Counts of the caller's jobs by state", response: JobSummary }), async (c) => {
      const counts = await need(d.services.jobs, 'jobs').summary(c.get('principal').userId)
      return c.json({ ...counts, in_progress: counts.running, stuck: 0 })
    })
    .post('/api/jobs', describe({ summary: 'Start a job', response: JobDetail, status: 201 }), jsonBody(CreateJobRequest), async (c) => {
      const jobs = need(d.services.jobs, 'jobs')
      const job = await jobs.create(c.get('principal').userId, c.req.valid('json'))
      return c.json(await jobDetail(jobs, job, c.get('principal'), d.clock.now()), 201)
    })
    .get('/api/jobs/:id', describe({ summary: 'A job: state, transitions, result, links', response: JobDetail }), params(JobIdParam), async (c) => {
      const jobs = need(d.services.jobs, 'jobs')
      const job = await jobs.get(c.get('principal').userId, c.req.valid('param').id)
      return c.json(await jobDetail(jobs, job, c.get('principal'), d.clock.now()))
    })
    .post(
      '/api/jobs/:id/cancel',
      describe({ summary: 'Cancel a pending or running job; its processes are killed before this returns (409 when finished)', response: JobCancelled }),
      params(JobIdParam),
      async (c) => {
        const { id } = c.req.valid('param')
        await need(d.services.jobs, 'jobs').cancel(c.get('principal').userId, id)
        return c.json({ status: 'cancelled' as const, job_id: id })
      },
    )
    .post(
      '/api/jobs/:id/restart',
      describe({ summary: 'Retry a failed or cancelled job as a new job in the same workspace (409 otherwise)', response: JobRestarted }),
      params(JobIdParam),
      async (c) => {
        const { id } = c.req.valid('param')
        const fresh = await need(d.services.jobs, 'jobs').restart(c.get('principal').userId, id)
        return c.json({ status: 'restarted' as const, old_job_id: id, new_job_id: fresh.id })
      },
    )
    .post(
      '/api/jobs/:id/prompt',
      describe({ summary: 'Send a follow-up prompt to a running (queued) or completed (new turn) job', response: JobPromptAccepted }),
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
      describe({ summary: 'Signed, short-lived links to the job files (new tab) and its event stream (EventSource)', response: JobLinks }),
      params(JobIdParam),
      async (c) => {
        const jobs = need(d.services.jobs, 'jobs')
        const job = await jobs.get(c.get('principal').userId, c.req.valid('param').id)
        return c.json(await jobs.links(job, c.get('principal')))
      },
    )
    .get(
      '/api/jobs/:id/files/list',
      describe({ summary: 'List a directory of the job workspace (directories first)', response: WorkspaceListing }),
      params(JobIdParam),
      query(z.object({ path: z.string().max(4096).default('') })),
      async (c) => {
        const jobs = need(d.services.jobs, 'jobs')
        const job = await jobs.get(c.get('principal').userId, c.req.valid('param').id)
        return c.json(await jobs.files.list(jobs.workspaceOf(job), c.req.valid('query').path))
      },
    )
    .get(
      '/api/jobs/:id/files/read',
      describe({ summary: 'Read a workspace file as UTF-8 (cut at the read cap; binary files have content null)', response: WorkspaceFile }),
      params(JobIdParam),
      query(z.object({ path: z.string({ error: 'path parameter required' }).max(4096) })),
      async (c) => {
        const jobs = need(d.services.jobs, 'jobs')
        const job = await jobs.get(c.get('principal').userId, c.req.valid('param').id)
        return c.json(await jobs.files.read(jobs.workspaceOf(job), c.req.valid('query').path))
      },
    )
