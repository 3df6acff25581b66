/** A user's standing instruction (see `RoutinesService`). */
export interface RoutinesTable {
  id: string
  user_id: string
  name: string
  description: string
  enabled: boolean
  /** `cron` | `event` | `system_event` | `webhook` | `manual`. */
  trigger_type: string
  /** JSON: the trigger as shown (`RoutineTrigger`), never the webhook secret. */
  trigger: string
  /** Webhook routines: the path of `POST /api/webhooks/<path>`, unique across the gateway. */
  webhook_path: string | null
  /** Webhook routines: the HMAC secret sealed by `SecretCipher` (HMAC needs it in clear to verify). */
  webhook_secret: string | null
  /** `lightweight` | `full_job`. */
  action_type: string
  /** JSON: `RoutineAction`. */
  action: string
  cooldown_secs: number
  max_concurrent: number
  /** The thread its prompts and results go to (created with the routine). */
  thread_id: string
  /**
   * Cron routines: the slot the scheduler fires next. Claimed by moving it forward with
   * `UPDATE ... WHERE next_fire_at = <slot>`, so one instance wins each slot.
   */
  next_fire_at: string | null
  last_run_at: string | null
  last_status: string | null
  run_count: number
  consecutive_failures: number
  /** A run has ended `ok` at least once. */
  is_verified: boolean
  created_at: string
  updated_at: string
}

/** One firing of a routine. */
export interface RoutineRunsTable {
  id: string
  routine_id: string
  user_id: string
  trigger_type: string
  /**
   * What fired it (`cron:<slot>`, `event:<event id>`, `message:<id>`, `webhook:<signature>`), or
   * null for manual runs: unique per routine, so the same cause never runs twice (instances that
   * all see one event, a replayed webhook delivery).
   */
  trigger_key: string | null
  /** `running` | `ok` | `attention` | `failed`. */
  status: string
  result_summary: string | null
  tokens_used: number | null
  job_id: string | null
  thread_id: string | null
  started_at: string
  completed_at: string | null
}

export interface RoutinesTables {
  routines: RoutinesTable
  routine_runs: RoutineRunsTable
}
