import type {
  CreateRoutineRequest,
  RoutineDetail,
  RoutineInfo,
  RoutineRuns,
  RoutineRunsQuery,
  RoutineSummary,
  RoutineToggled,
  RoutineTriggered,
  UpdateRoutineRequest,
  WebhookAccepted,
} from '../../protocol/routines'

/** A webhook delivery as the public route received it (body within `WEBHOOK_BODY_LIMIT`). */
export interface WebhookDelivery {
  timestamp: string | undefined
  signature: string | undefined
  body: string
}

/**
 * Routines (contract §9): a user's standing instructions, fired by a schedule, an event, a signed
 * webhook or by hand, each run delivered to the agent (or started as a job) in the routine's
 * thread. Another user's routine is 404 everywhere. Default: `RoutinesService` (needs a database).
 */
export interface RoutinesPort {
  list(userId: string): Promise<RoutineInfo[]>
  summary(userId: string): Promise<RoutineSummary>
  detail(userId: string, id: string): Promise<RoutineDetail>
  /** A webhook routine's answer carries its secret once, in `webhook_secret`. */
  create(userId: string, input: CreateRoutineRequest): Promise<RoutineDetail>
  update(userId: string, id: string, input: UpdateRoutineRequest): Promise<RoutineDetail>
  /** Sets `enabled`, or flips it when `enabled` is undefined. */
  toggle(userId: string, id: string, enabled?: boolean): Promise<RoutineToggled>
  delete(userId: string, id: string): Promise<void>
  runs(userId: string, id: string, query: RoutineRunsQuery): Promise<RoutineRuns>
  /** Runs it now, in the background; 409 when disabled, cooling down or already running. */
  trigger(userId: string, id: string): Promise<RoutineTriggered>
  /** 404 unknown path, 401 a missing, stale or wrong signature, 409 disabled, replayed or busy. */
  webhook(path: string, delivery: WebhookDelivery): Promise<WebhookAccepted>
}
