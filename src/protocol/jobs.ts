import { z } from 'zod'

/**
 * Sandbox jobs on the wire (contract.md §8). Field names are the original gateway's (`state`,
 * `can_restart`, `can_prompt`, `browse_url`, `transitions`...), values are snake_case.
 */

/** `/api/jobs/{id}` and its sub-routes. */
export const JobIdParam = z.object({ id: z.uuid('Invalid job ID') })

export const JobState = z.enum(['pending', 'running', 'completed', 'failed', 'cancelled'])
export type JobState = z.infer<typeof JobState>

/** `agent`: the gateway's agent loop in the workspace; `command`: an operator-configured coding-agent CLI. */
export const JobKind = z.enum(['agent', 'command'])
export type JobKind = z.infer<typeof JobKind>

export const JobTransition = z.object({
  from: JobState.nullable(),
  to: JobState,
  timestamp: z.string(),
  reason: z.string().nullable(),
})
export type JobTransition = z.infer<typeof JobTransition>

export const JobUsage = z.object({ input_tokens: z.number().int(), output_tokens: z.number().int() })
export type JobUsage = z.infer<typeof JobUsage>

export const JobListItem = z.object({
  id: z.uuid(),
  title: z.string(),
  state: JobState,
  kind: JobKind,
  user_id: z.string(),
  created_at: z.string(),
  started_at: z.string().nullable(),
  completed_at: z.string().nullable(),
})
export type JobListItem = z.infer<typeof JobListItem>

export const JobList = z.object({ jobs: z.array(JobListItem) })
export type JobList = z.infer<typeof JobList>

export const JobSummary = z.object({
  total: z.number().int(),
  pending: z.number().int(),
  running: z.number().int(),
  /** Same as `running`: the name the original web app reads. */
  in_progress: z.number().int(),
  completed: z.number().int(),
  failed: z.number().int(),
  cancelled: z.number().int(),
  /** Kept for old clients; a job here is never stuck (restarts fail running jobs). */
  stuck: z.number().int(),
})
export type JobSummary = z.infer<typeof JobSummary>

export const JobDetail = JobListItem.extend({
  /** The job's (latest) task as given. */
  description: z.string(),
  elapsed_secs: z.number().int().nullable(),
  /** A signed link to the workspace files, valid for `links_expire_at`; opens in a new tab. */
  browse_url: z.string(),
  /** A signed link to the event stream (SSE), for EventSource, which cannot send a bearer header. */
  events_url: z.string(),
  links_expire_at: z.string(),
  job_kind: z.literal('sandbox'),
  /** The configured command's name, for `command` jobs. */
  job_mode: z.string().optional(),
  transitions: z.array(JobTransition),
  can_cancel: z.boolean(),
  can_restart: z.boolean(),
  can_prompt: z.boolean(),
  /** The agent's (or CLI's) final answer of the last turn. */
  result: z.string().nullable(),
  failure_reason: z.string().nullable(),
  usage: JobUsage,
  restarted_from: z.uuid().nullable(),
  /** The chat thread whose agent started the job (`create_job`), if any. */
  thread_id: z.string().nullable(),
})
export type JobDetail = z.infer<typeof JobDetail>

export const CreateJobRequest = z.object({
  prompt: z.string().trim().min(1, 'prompt must not be empty').max(100_000),
  title: z.string().trim().min(1).max(200).optional(),
  kind: JobKind.default('agent'),
  /** Name of a configured command (`command` jobs; optional when exactly one is configured). */
  command: z.string().max(32).optional(),
})
export type CreateJobRequest = z.infer<typeof CreateJobRequest>

export const JobPromptRequest = z.object({
  content: z.string().trim().min(1, 'content must not be empty').max(100_000),
  /** The last prompt: the job accepts no further follow-ups after this one. */
  done: z.boolean().default(false),
})
export type JobPromptRequest = z.infer<typeof JobPromptRequest>

export const JobCancelled = z.object({ status: z.literal('cancelled'), job_id: z.uuid() })
export type JobCancelled = z.infer<typeof JobCancelled>
export const JobRestarted = z.object({ status: z.literal('restarted'), old_job_id: z.uuid(), new_job_id: z.uuid() })
export type JobRestarted = z.infer<typeof JobRestarted>
/** `queued`: runs after the current turn; `sent`: a new turn started now. */
export const JobPromptAccepted = z.object({ status: z.enum(['queued', 'sent']), job_id: z.uuid() })
export type JobPromptAccepted = z.infer<typeof JobPromptAccepted>

export const JobLinks = z.object({ browse_url: z.string(), events_url: z.string(), expires_at: z.string() })
export type JobLinks = z.infer<typeof JobLinks>

/** Persisted job event kinds (the original's `/events` names); each maps to a `job_*` AppEvent. */
export const JobEventType = z.enum(['status', 'message', 'tool_use', 'tool_result', 'result'])
export type JobEventType = z.infer<typeof JobEventType>

export const JobEventRecord = z.object({
  /** Monotonic per job: the SSE `id`, usable as `Last-Event-ID`. */
  id: z.number().int(),
  event_type: JobEventType,
  data: z.record(z.string(), z.unknown()),
  created_at: z.string(),
})
export type JobEventRecord = z.infer<typeof JobEventRecord>

export const JobEventList = z.object({ job_id: z.uuid(), events: z.array(JobEventRecord), has_more: z.boolean() })
export type JobEventList = z.infer<typeof JobEventList>

export const WorkspaceEntry = z.object({
  name: z.string(),
  /** Relative to the workspace root, `/`-separated. */
  path: z.string(),
  is_dir: z.boolean(),
  size: z.number().int().nullable(),
  modified_at: z.string().nullable(),
})
export type WorkspaceEntry = z.infer<typeof WorkspaceEntry>

export const WorkspaceListing = z.object({ path: z.string(), entries: z.array(WorkspaceEntry) })
export type WorkspaceListing = z.infer<typeof WorkspaceListing>

export const WorkspaceFile = z.object({
  path: z.string(),
  /** UTF-8 text, or null for a binary file (open it through `browse_url`). */
  content: z.string().nullable(),
  size: z.number().int(),
  binary: z.boolean(),
  /** The file is larger than the read cap; `content` holds its beginning. */
  truncated: z.boolean(),
})
export type WorkspaceFile = z.infer<typeof WorkspaceFile>

/** `GET /api/jobs/{id}/events`. */
export const JobEventsQuery = z.object({
  /** A signed events link (`events_url`), for EventSource, which cannot send a bearer header. */
  ticket: z.string().max(128).optional(),
  /** JSON form: events with a larger id than this. */
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(500),
  last_event_id: z.string().optional(),
})

export const JobListQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) })
export const WorkspaceListQuery = z.object({ path: z.string().max(4096).default('') })
export const WorkspaceReadQuery = z.object({ path: z.string({ error: 'path parameter required' }).max(4096) })
