import type { JobDetail, JobEventRecord, JobLinks, JobListItem, JobState, JobSummary } from '../../protocol/jobs'
import type { JobRecord, StoredJobEvent } from './job-rows'

/** How jobs and their events look on the wire. */

export const jobListItem = (job: JobRecord): JobListItem => ({
  id: job.id,
  title: job.title,
  state: job.status,
  kind: job.kind,
  user_id: job.user_id,
  created_at: job.created_at,
  started_at: job.started_at,
  completed_at: job.completed_at,
})

/** The job with its state-derived flags and fresh signed links. */
export function jobDetail(job: JobRecord, links: JobLinks, can: { cancel: boolean; restart: boolean; prompt: boolean }, now: number): JobDetail {
  const started = job.started_at ? Date.parse(job.started_at) : null
  const ended = job.completed_at ? Date.parse(job.completed_at) : now
  return {
    ...jobListItem(job),
    description: job.prompt,
    elapsed_secs: started === null ? null : Math.max(0, Math.floor((ended - started) / 1000)),
    browse_url: links.browse_url,
    events_url: links.events_url,
    links_expire_at: links.expires_at,
    job_kind: 'sandbox',
    ...(job.command ? { job_mode: job.command } : {}),
    transitions: job.transitions,
    can_cancel: can.cancel,
    can_restart: can.restart,
    can_prompt: can.prompt,
    result: job.result,
    failure_reason: job.failure_reason,
    usage: { input_tokens: job.input_tokens, output_tokens: job.output_tokens },
    restarted_from: job.restarted_from,
    thread_id: job.thread_id,
  }
}

export function jobSummary(counts: ReadonlyMap<string, number>): JobSummary {
  const n = (s: JobState) => counts.get(s) ?? 0
  return {
    total: [...counts.values()].reduce((a, b) => a + b, 0),
    pending: n('pending'),
    running: n('running'),
    // The original web app's name for `running`; a job here is never stuck (restarts fail running jobs).
    in_progress: n('running'),
    completed: n('completed'),
    failed: n('failed'),
    cancelled: n('cancelled'),
    stuck: 0,
  }
}

export const jobEventRecord = (e: StoredJobEvent): JobEventRecord => ({ id: e.seq, event_type: e.type, data: e.data, created_at: e.created_at })
