/** Memory, jobs and routines (contract §7-§9). */
// ---- memory (§7) ----
export interface MemoryEntry {
  path: string
  is_dir: boolean
  name?: string
  updated_at?: string | null
}
export interface MemoryTree {
  entries: MemoryEntry[]
}
export interface MemoryFile {
  path: string
  content: string
  updated_at: string | null
}
export interface MemorySearchHit {
  path: string
  content: string
  score: number
  document_id?: string
  heading?: string
  /** Plain text around the best match, with `highlights` as [start, end) ranges into it. */
  snippet?: string
  highlights?: Array<{ start: number; end: number }>
  fts_rank?: number | null
  vector_rank?: number | null
}
export interface MemorySearchResult {
  results: MemorySearchHit[]
  mode?: 'hybrid' | 'full_text'
}

// ---- jobs (§8) ----
export interface JobInfo {
  id: string
  title: string
  state: string
  kind?: string
  user_id?: string
  created_at: string
  started_at: string | null
  completed_at?: string | null
}
export interface JobSummary {
  total: number
  pending: number
  in_progress: number
  running?: number
  completed: number
  failed: number
  cancelled?: number
  stuck: number
}
export interface JobTransition {
  from: string | null
  to: string
  timestamp: string
  reason: string | null
}
export interface JobDetail extends JobInfo {
  description: string
  elapsed_secs: number | null
  project_dir?: string
  /** A signed link to the workspace, for a new tab. */
  browse_url?: string
  /** A signed link to the job's event stream (SSE), for EventSource. */
  events_url?: string
  job_mode?: string
  job_kind?: string
  transitions: JobTransition[]
  can_cancel?: boolean
  can_restart: boolean
  can_prompt: boolean
  result?: string | null
  failure_reason?: string | null
  usage?: { input_tokens: number; output_tokens: number }
  restarted_from?: string | null
  thread_id?: string | null
}
export interface JobEvent {
  id: number | string
  event_type: string
  data: unknown
  created_at: string
}
export interface JobFileEntry {
  name: string
  path: string
  is_dir: boolean
  size?: number | null
  modified_at?: string | null
}
export interface JobFile {
  path: string
  content: string | null
  size?: number
  binary?: boolean
  truncated?: boolean
}

// ---- routines (§9) ----
export interface RoutineInfo {
  id: string
  name: string
  description: string
  enabled: boolean
  trigger_type: string
  trigger_raw: string
  trigger_summary: string
  action_type: string
  last_run_at: string | null
  next_fire_at: string | null
  run_count: number
  consecutive_failures: number
  status: string
}
export interface RoutineRun {
  id: string
  trigger_type: string
  started_at: string
  completed_at: string | null
  status: string
  result_summary: string | null
  tokens_used: number | null
  job_id: string | null
}
export type RoutineTrigger =
  | { type: 'cron'; schedule: string; timezone?: string | null }
  | { type: 'event'; channel?: string | null; pattern: string }
  | { type: 'system_event'; source: string; event_type: string; filters?: Record<string, string> }
  | { type: 'webhook'; path?: string | null; has_secret?: boolean; secret?: string | null }
  | { type: 'manual' }
export type RoutineAction =
  | { type: 'lightweight'; prompt: string; context_paths?: string[]; max_tokens?: number; use_tools?: boolean; max_tool_rounds?: number }
  | { type: 'full_job'; title: string; description: string; max_iterations?: number }
export interface RoutineDetail extends Omit<RoutineInfo, 'action_type' | 'status'> {
  trigger: RoutineTrigger
  action: RoutineAction
  guardrails?: unknown
  notify?: unknown
  created_at: string
  recent_runs: RoutineRun[]
  status?: string
  action_type?: string
}
export interface RoutineSummary {
  total: number
  enabled: number
  disabled: number
  failing: number
  runs_today: number
  unverified?: number
}
export interface RoutineInput {
  name: string
  description: string
  enabled: boolean
  trigger: RoutineTrigger
  action: RoutineAction
}
