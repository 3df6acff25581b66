/** Memory, jobs and routines (contract §7-§9). */
import type { z } from 'zod'
import type {
  CreateRoutineRequest,
  RoutineSummary as RoutineSummarySchema,
  RoutineTriggerInput as RoutineTriggerInputSchema,
  UpdateRoutineRequest,
} from '../../../../src/protocol/index'
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

// ---- routines (§9): the server's own schemas (src/protocol/routines.ts) ----
export type {
  RoutineAction,
  RoutineDetail,
  RoutineInfo,
  RoutineRunInfo as RoutineRun,
  RoutineTrigger,
} from '../../../../src/protocol/index'
/** What the form sends: a webhook trigger names only its path (the server makes the secret). */
export type RoutineTriggerInput = z.input<typeof RoutineTriggerInputSchema>
export type RoutineInput = z.input<typeof CreateRoutineRequest>
export type RoutineUpdate = z.input<typeof UpdateRoutineRequest>
export type RoutineSummary = z.infer<typeof RoutineSummarySchema>
