import type { Generated } from 'kysely'

/** A conversation. `kind` = `assistant` (one per user, the default thread) or `thread`. */
export interface ChatThreadsTable {
  id: string
  user_id: string
  kind: string
  /** Where it started: `gateway` (web app), `routine`, `job`, `api`. */
  channel: string
  /** The first 100 characters of the first message (null until there is one). */
  title: string | null
  /** JSON object (e.g. `routine_name`), or null. */
  metadata: string | null
  created_at: string
  /** Last activity (a message in, a reply out): clients compare it with what they saw for unread marks. */
  updated_at: string
  /** Raised by triggers on every write to the thread's turns and approvals (migration 0010). */
  version: Generated<number>
}

/**
 * One user message and everything the agent did about it. A paused turn (awaiting approval) keeps
 * its transcript and the tool calls still to run, so it can continue after a restart.
 */
export interface ChatTurnsTable {
  id: string
  thread_id: string
  user_id: string
  /** 0, 1, 2... within the thread. */
  seq: number
  user_input: string
  /** JSON array of `{media_type, data}` sent with the message, or null. */
  images: string | null
  image_count: number
  response: string | null
  /** `processing`, `awaiting_approval`, `completed`, `failed`, `interrupted`. */
  state: string
  error: string | null
  /** JSON array of the turn's tool calls (name, parameters, preview, error) for history. */
  tool_calls: string
  /** JSON array of `LlmMessage`: what the model said and the tools answered during this turn. */
  transcript: string
  /** JSON array of `ToolCall` still to run when the turn paused, or null. */
  pending_calls: string | null
  /** Model calls made so far. */
  steps: number
  input_tokens: number
  output_tokens: number
  cost_usd: string
  model: string | null
  /** `http`, `ws`, `routine`, `job`, `api`. */
  source: string
  /** The user's IANA time zone for this message, if their client sent one. */
  timezone: string | null
  started_at: string
  completed_at: string | null
  /**
   * While `processing`: the instance running the turn renews this; a turn whose lease ran out was
   * left by a process that died, and is marked `interrupted` by whichever instance sees it.
   */
  lease_until: string | null
}

/** A tool call waiting for (or answered by) the user. First answer wins: `status` moves once from `pending`. */
export interface ChatApprovalsTable {
  request_id: string
  user_id: string
  thread_id: string
  turn_id: string
  call_id: string
  tool_name: string
  description: string
  /** Pretty-printed JSON of the arguments, as shown to the user. */
  parameters: string
  /** `pending`, `approved`, `denied`, `cancelled`, `expired`. */
  status: string
  created_at: string
  resolved_at: string | null
  /** When it expires unanswered (null: never; approvals from before expiry existed got one in migration 0012). */
  expires_at: Generated<string | null>
  /** JSON array of the decisions a client may send (`approve`, `deny`, `always`), fixed at creation. */
  decisions: Generated<string>
  /** How it ended: `approve`, `always`, `deny`, `cancelled`, `expired`; null while pending. */
  decision: Generated<string | null>
}

/** "Always allow": tools a user approved once and for all. */
export interface ToolPermissionsTable {
  user_id: string
  tool_name: string
  created_at: string
}

export interface ChatTables {
  chat_threads: ChatThreadsTable
  chat_turns: ChatTurnsTable
  chat_approvals: ChatApprovalsTable
  tool_permissions: ToolPermissionsTable
}
