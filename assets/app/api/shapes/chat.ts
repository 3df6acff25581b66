/** Threads, history and approvals (contract §6). */
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
