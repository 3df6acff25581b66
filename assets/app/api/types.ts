/**
 * Wire types of the gateway API as the web app uses them. Types come from the server's zod
 * schemas in `src/protocol` where they exist (type-only imports: nothing from the server is
 * bundled); the rest follow contract.md until their schemas land.
 */
export type {
  ActionResponse,
  AppEvent,
  AppEventType,
  ErrorEnvelope,
  EventOf,
  GatewayStatus,
  ImageAttachment,
  SendMessageAccepted,
  SendMessageRequest,
  StreamTicket,
  WhoAmI,
} from '../../../src/protocol/index'

// ---- chat (contract §6) ----
export interface ThreadInfo {
  id: string
  state: string
  turn_count: number
  created_at: string
  updated_at: string
  title?: string | null
  thread_type?: string | null
  channel?: string | null
}

export interface ThreadList {
  assistant_thread: ThreadInfo | null
  threads: ThreadInfo[]
  active_thread: string | null
}

export interface ToolCallInfo {
  call_id?: string
  name: string
  has_result: boolean
  has_error: boolean
  result_preview?: string | null
  error?: string | null
  parameters?: string | null
}

export interface TurnInfo {
  id?: string
  turn_number: number
  user_input: string
  image_count?: number
  response: string | null
  state: string
  error?: string | null
  started_at: string
  completed_at: string | null
  tool_calls: ToolCallInfo[]
}

export interface PendingApproval {
  request_id: string
  tool_name: string
  description: string
  parameters: string
  allow_always?: boolean
}

export interface HistoryPage {
  thread_id: string
  turns: TurnInfo[]
  has_more: boolean
  oldest_timestamp?: string | null
  /** Opaque cursor of the next (older) page, when the server pages by cursor. */
  next_cursor?: string | null
  pending_approval?: PendingApproval | null
  /** The running turn and the answer streamed so far (a page loaded mid-turn shows it). */
  in_progress?: { turn_id: string; turn_number: number; state: string; started_at: string; response_so_far: string } | null
}

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
  snippet?: string
}
export interface MemorySearchResult {
  results: MemorySearchHit[]
}

// ---- jobs (§8) ----
export interface JobInfo {
  id: string
  title: string
  state: string
  user_id?: string
  created_at: string
  started_at: string | null
}
export interface JobSummary {
  total: number
  pending: number
  in_progress: number
  completed: number
  failed: number
  stuck: number
}
export interface JobTransition {
  from: string
  to: string
  timestamp: string
  reason: string | null
}
export interface JobDetail extends JobInfo {
  description: string
  completed_at: string | null
  elapsed_secs: number | null
  project_dir?: string
  browse_url?: string
  job_mode?: string
  job_kind?: string
  transitions: JobTransition[]
  can_restart: boolean
  can_prompt: boolean
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
  size?: number
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

// ---- skills (§11) ----
export interface SkillInfo {
  name: string
  description: string
  version: string
  trust: string
  source: unknown
  keywords: string[]
}
export interface SkillCatalogEntry {
  slug: string
  name: string
  description: string
  version: string | null
  score?: number | null
  updatedAt?: number | null
  stars?: number | null
  downloads?: number | null
  owner?: string | null
}
export interface SkillSearchResult {
  catalog: SkillCatalogEntry[]
  installed: SkillInfo[]
  registry_url?: string
  catalog_error?: string
}

// ---- extensions (§10) ----
export interface ExtensionInfo {
  name: string
  display_name?: string
  kind: string
  description: string | null
  url?: string
  authenticated: boolean
  active: boolean
  tools: string[]
  needs_setup: boolean
  has_auth: boolean
  activation_status?: string
  activation_error?: string
  version?: string
}
export interface RegistryEntry {
  name: string
  display_name: string
  kind: string
  description: string
  keywords: string[]
  installed: boolean
  version?: string
}
export interface SetupField {
  name: string
  prompt: string
  optional: boolean
  provided: boolean
  auto_generate?: boolean
  input_type?: 'text' | 'password'
}
export interface ExtensionSetup {
  name: string
  kind: string
  secrets: SetupField[]
  fields: SetupField[]
}
export interface ToolInfo {
  name: string
  description: string
}

// ---- settings (§12), tokens, users (Appendix B) ----
export interface Setting {
  key: string
  value: unknown
  updated_at: string
}
export interface ApiToken {
  id: string
  name: string
  token_prefix: string
  created_at: string
  expires_at: string | null
  last_used_at: string | null
  revoked_at?: string | null
}
export interface CreatedToken {
  token: string
  id?: string
  name?: string
  token_prefix?: string
  expires_at?: string | null
}
export interface UserInfo {
  id: string
  email: string | null
  display_name: string | null
  status: string
  role: 'admin' | 'member'
  /** The owner of the configured token: always an active admin. */
  is_owner?: boolean
  created_at: string
  updated_at?: string
  last_login_at?: string | null
  created_by?: string | null
  metadata?: Record<string, unknown>
}
export interface UsageRow {
  user_id: string
  model?: string
  display_name?: string | null
  call_count: number
  input_tokens: number
  output_tokens: number
  total_cost: string
}
export interface UsageReport {
  period: string
  since?: string
  usage: UsageRow[]
  users?: UsageRow[]
}
export interface SecretInfo {
  name: string
  provider?: string | null
  expires_at?: string | null
  created_at?: string
  updated_at?: string
}
export interface PairingRequest {
  code: string
  sender_id: string
  meta?: Record<string, unknown>
  created_at: string
  expires_at?: string
}

// ---- logs (§13) ----
export interface LogLevelState {
  level: string
  changed_by?: string | null
  changed_at?: string | null
}
export interface LogEntry {
  level: string
  target: string
  message: string
  timestamp: string
}
