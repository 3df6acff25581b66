import { z } from 'zod'

/**
 * Routines on the wire (contract.md §9): a routine is a standing instruction with a trigger
 * (`cron`, `event`, `system_event`, `webhook`, `manual`) and an action (`lightweight`: a prompt
 * for a fresh agent turn in the routine's thread; `full_job`: a sandbox job).
 * Run statuses are snake_case (`running|ok|attention|failed`); a webhook secret is never returned
 * after creation (`has_secret` instead); another user's routine is 404 everywhere.
 */

/** 5 fields (minute hour day month weekday), or 6 with seconds first. Checked by croner on input. */
const CronTrigger = z.object({
  type: z.literal('cron'),
  schedule: z.string().trim().min(1, 'schedule is required').max(120),
  /** IANA zone the schedule is read in (`Europe/Paris`); null = UTC. */
  timezone: z.string().trim().max(64).nullish().transform((v) => v || null),
})

/** A chat message of the owner's matching `pattern` (a regular expression, case-insensitive). */
const EventTrigger = z.object({
  type: z.literal('event'),
  pattern: z.string().min(1, 'pattern is required').max(500),
  /** Only messages from this channel (`gateway`, `api`); null = any. */
  channel: z.string().trim().max(32).nullish().transform((v) => v || null),
})

/** An event on the owner's stream (`job_status`, `memory_changed`...) whose fields equal `filters`. */
const SystemEventTrigger = z.object({
  type: z.literal('system_event'),
  source: z.string().trim().max(32).optional().transform((v) => v || 'gateway'),
  event_type: z.string().trim().min(1, 'event_type is required').max(64),
  filters: z.record(z.string().max(64), z.string().max(200)).default({}),
})

/** Webhook deliveries: the signature headers and the largest body read (64 KiB). */
export const WEBHOOK_SIGNATURE_HEADER = 'x-webhook-signature'
export const WEBHOOK_TIMESTAMP_HEADER = 'x-webhook-timestamp'
export const WEBHOOK_BODY_LIMIT = 64 * 1024

export const WEBHOOK_PATH = /^[A-Za-z0-9][A-Za-z0-9_-]{2,63}$/

const WebhookTriggerInput = z.object({
  type: z.literal('webhook'),
  /** `POST /api/webhooks/<path>`; omitted = a random unguessable one. Unique across the gateway. */
  path: z
    .string()
    .trim()
    .regex(WEBHOOK_PATH, 'path: 3-64 letters, digits, "-" or "_"')
    .nullish()
    .transform((v) => v || null),
})

const ManualTrigger = z.object({ type: z.literal('manual') })

export const RoutineTriggerInput = z.discriminatedUnion('type', [CronTrigger, EventTrigger, SystemEventTrigger, WebhookTriggerInput, ManualTrigger])
export type RoutineTriggerInput = z.infer<typeof RoutineTriggerInput>

/** A trigger as stored and shown: the webhook's secret is never in it. */
export const RoutineTrigger = z.discriminatedUnion('type', [
  CronTrigger,
  EventTrigger,
  SystemEventTrigger,
  z.object({ type: z.literal('webhook'), path: z.string(), has_secret: z.boolean() }),
  ManualTrigger,
])
export type RoutineTrigger = z.infer<typeof RoutineTrigger>

export const TriggerType = z.enum(['cron', 'event', 'system_event', 'webhook', 'manual'])
export type TriggerType = z.infer<typeof TriggerType>

export const RoutineAction = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('lightweight'),
    /** What the agent is asked each time, as a new turn in the routine's thread. */
    prompt: z.string().trim().min(1, 'prompt is required').max(20_000),
  }),
  z.object({
    type: z.literal('full_job'),
    title: z.string().trim().min(1, 'title is required').max(200),
    /** The job's task (it cannot ask questions). */
    description: z.string().trim().min(1, 'description is required').max(100_000),
  }),
])
export type RoutineAction = z.infer<typeof RoutineAction>

export const RoutineGuardrailsInput = z.object({
  /** Seconds after a run starts before the routine may run again (event and webhook bursts). */
  cooldown_secs: z.number().int().min(0).max(86_400).optional(),
  /** Runs of this routine at once. */
  max_concurrent: z.number().int().min(1).max(10).optional(),
})

export const RoutineGuardrails = z.object({
  cooldown: z.object({ secs: z.number().int(), nanos: z.literal(0) }),
  max_concurrent: z.number().int(),
  dedup_window: z.null(),
})

const name = z.string().trim().min(1, 'name is required').max(100)
const description = z.string().trim().max(2_000)

export const CreateRoutineRequest = z.object({
  name,
  description: description.default(''),
  enabled: z.boolean().default(true),
  trigger: RoutineTriggerInput,
  action: RoutineAction,
  guardrails: RoutineGuardrailsInput.optional(),
})
export type CreateRoutineRequest = z.infer<typeof CreateRoutineRequest>

/** Any subset; a new trigger replaces the old one (a webhook keeps its secret while it stays a webhook). */
export const UpdateRoutineRequest = z.object({
  name: name.optional(),
  description: description.optional(),
  enabled: z.boolean().optional(),
  trigger: RoutineTriggerInput.optional(),
  action: RoutineAction.optional(),
  guardrails: RoutineGuardrailsInput.optional(),
  /** Issues a new webhook secret (shown once in the response); the old one stops working. */
  rotate_secret: z.literal(true).optional(),
})
export type UpdateRoutineRequest = z.infer<typeof UpdateRoutineRequest>

export const RunStatus = z.enum(['running', 'ok', 'attention', 'failed'])
export type RunStatus = z.infer<typeof RunStatus>

export const RoutineStatus = z.enum(['active', 'disabled', 'failing'])

export const RoutineRunInfo = z.object({
  id: z.uuid(),
  trigger_type: TriggerType,
  started_at: z.string(),
  completed_at: z.string().nullable(),
  /** `attention`: the turn waits for the user (an approval) or could not start in a busy thread. */
  status: RunStatus,
  result_summary: z.string().nullable(),
  tokens_used: z.number().int().nullable(),
  job_id: z.string().nullable(),
  thread_id: z.string().nullable(),
})
export type RoutineRunInfo = z.infer<typeof RoutineRunInfo>

export const RoutineInfo = z.object({
  id: z.uuid(),
  name: z.string(),
  description: z.string(),
  enabled: z.boolean(),
  trigger_type: TriggerType,
  /** The cron schedule, else `""`. */
  trigger_raw: z.string(),
  trigger_summary: z.string(),
  action_type: z.enum(['lightweight', 'full_job']),
  last_run_at: z.string().nullable(),
  next_fire_at: z.string().nullable(),
  run_count: z.number().int(),
  consecutive_failures: z.number().int(),
  status: RoutineStatus,
  /** `unverified` until a run has ended `ok`. */
  verification_status: z.enum(['unverified', 'verified']),
  /** The thread its prompts and results go to. */
  thread_id: z.string(),
})
export type RoutineInfo = z.infer<typeof RoutineInfo>

export const RoutineList = z.object({ routines: z.array(RoutineInfo) })

export type RoutineList = z.infer<typeof RoutineList>
export const RoutineDetail = RoutineInfo.extend({
  trigger: RoutineTrigger,
  action: RoutineAction,
  guardrails: RoutineGuardrails,
  created_at: z.string(),
  updated_at: z.string(),
  recent_runs: z.array(RoutineRunInfo),
  /** Only in the answer that created the webhook (or rotated its secret): it is never shown again. */
  webhook_secret: z.string().optional(),
  /** The URL path to call, for webhook routines. */
  webhook_url: z.string().optional(),
})
export type RoutineDetail = z.infer<typeof RoutineDetail>

export const RoutineSummary = z.object({
  total: z.number().int(),
  enabled: z.number().int(),
  disabled: z.number().int(),
  unverified: z.number().int(),
  failing: z.number().int(),
  /** Routines that ran since 00:00 UTC today. */
  runs_today: z.number().int(),
})

export type RoutineSummary = z.infer<typeof RoutineSummary>
export const RoutineRuns = z.object({
  routine_id: z.uuid(),
  runs: z.array(RoutineRunInfo),
  /** Pass as `cursor` for older runs; absent on the last page. */
  next_cursor: z.string().optional(),
})

export type RoutineRuns = z.infer<typeof RoutineRuns>
export const RoutineRunsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
})

export type RoutineRunsQuery = z.infer<typeof RoutineRunsQuery>
export const ToggleRoutineRequest = z.object({ enabled: z.boolean().optional() })

export const RoutineToggled = z.object({ status: z.enum(['enabled', 'disabled']), routine_id: z.uuid(), next_fire_at: z.string().nullable() })
export type RoutineToggled = z.infer<typeof RoutineToggled>
export const RoutineTriggered = z.object({ status: z.literal('triggered'), routine_id: z.uuid(), run_id: z.uuid() })
export type RoutineTriggered = z.infer<typeof RoutineTriggered>
export const RoutineDeleted = z.object({ status: z.literal('deleted'), routine_id: z.uuid() })
export type RoutineDeleted = z.infer<typeof RoutineDeleted>
export const WebhookAccepted = RoutineTriggered.extend({ routine_name: z.string() })
export type WebhookAccepted = z.infer<typeof WebhookAccepted>

/** `/api/routines/{id}/...`. */
export const RoutineIdParam = z.object({ id: z.uuid('Invalid routine ID') })
/** `POST /api/webhooks/{path}`. */
export const WebhookPathParam = z.object({ path: z.string().regex(WEBHOOK_PATH, 'Invalid webhook path') })
