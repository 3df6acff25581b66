import type { Generated } from 'kysely'

/** A sandbox job (see `JobsService`). */
export interface JobsTable {
  id: string
  user_id: string
  title: string
  /** The task as given (for a restart, with the previous failure prefixed). */
  prompt: string
  /** `agent` | `command`. */
  kind: string
  /** The configured command's name, for `command` jobs. */
  command: string | null
  /** `pending` | `running` | `completed` | `failed` | `cancelled`. */
  status: string
  /** The job whose directory this job works in: its own id, or the restarted job's. */
  workspace_id: string
  thread_id: string | null
  restarted_from: string | null
  /** The command's own session id (for `resume_argv` on follow-ups). */
  session_id: string | null
  result: string | null
  failure_reason: string | null
  input_tokens: number
  output_tokens: number
  /** JSON: `[{from, to, timestamp, reason}]`. */
  transitions: string
  /** JSON: earlier prompts and final answers (`[{role, content}]`), for follow-up turns. */
  conversation: string
  /** No more follow-up prompts (the last one came with `done: true`). */
  prompts_closed: boolean
  /** The gateway instance running it, and when it last said so (stale = the instance is gone). */
  runner_id: string | null
  heartbeat_at: string | null
  created_at: string
  updated_at: string
  started_at: string | null
  completed_at: string | null
}

/** A job's event log; `seq` is monotonic per job and is the SSE id of its stream. */
export interface JobEventsTable {
  id: Generated<number>
  job_id: string
  user_id: string
  seq: number
  /** `status` | `message` | `tool_use` | `tool_result` | `result`. */
  type: string
  /** JSON object. */
  data: string
  created_at: string
}

/** Per-gateway secrets (one row per purpose), shared by instances on the same database. */
export interface JobSigningKeysTable {
  name: string
  secret: string
  created_at: string
}

export interface JobTables {
  jobs: JobsTable
  job_events: JobEventsTable
  job_signing_keys: JobSigningKeysTable
}
