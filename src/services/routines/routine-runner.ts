import { getLogger } from '@logtape/logtape'
import type { RunMessageOptions, TurnOutcome } from '../../hub/turn-outcome'
import type { IncomingMessage } from '../../hub/channel'
import type { EventHub } from '../../hub/event-hub'
import { conflict, errorMessage, GatewayError } from '../../lib/errors'
import type { Clock } from '../../lib/time'
import { appEvent } from '../../protocol/events'
import type { RunStatus, TriggerType } from '../../protocol/routines'
import type { JobsPort } from '../jobs/port'
import type { ModelCallBudget, ModelCallPermit } from '../../lib/model-call-budget'
import type { RoutineRepository } from './routine-repository'
import type { RoutineRecord } from './routine-rows'

const log = getLogger(['gateway', 'routines'])

/** What fired a routine. */
export interface FireCause {
  type: TriggerType
  /** Unique per routine (see `routine_runs.trigger_key`); undefined = always a new run (manual). */
  key?: string | undefined
  /** Text added under the prompt: the message or event that matched, the webhook's body. */
  context?: string | undefined
}

export interface RunnerDeps {
  repo: RoutineRepository
  clock: Clock
  hub: EventHub
  runMessage(message: IncomingMessage, options?: RunMessageOptions): Promise<TurnOutcome>
  jobs(): JobsPort | undefined
  /** Every run draws one start from its user's model-call budget (manual, scheduled, event, webhook). */
  budget: ModelCallBudget
  /** Whether the routine's user may have work done now (not suspended); absent = always. */
  userActive?(userId: string): Promise<boolean>
}

const SUMMARY_CHARS = 500
/**
 * A run still `running` after this long was left by an instance that stopped (a turn ends well
 * before: model calls time out, approvals end the run at `attention`): it no longer blocks new
 * runs, and the scheduler marks it failed.
 */
export const ABANDONED_AFTER_MS = 60 * 60_000

/**
 * Starts runs and sees them through: checks the guardrails, records the run (a trigger key that
 * already ran is skipped, so the same slot, event or delivery never runs twice), then executes the
 * action in the background and records how it ended. A prompt is a fresh agent turn in the
 * routine's thread, so its events reach the owner's stream like any chat turn; `routine_run`
 * events mark the start and the end.
 */
export class RoutineRunner {
  readonly #inFlight = new Set<Promise<void>>()

  constructor(private readonly deps: RunnerDeps) {}

  /**
   * Starts a run and returns its id (the action continues in the background). `strict` (manual
   * and webhook runs) turns a refusal into a 409 that says why; otherwise a refused or duplicate
   * firing returns undefined.
   */
  async fire(routine: RoutineRecord, cause: FireCause, options: { strict?: boolean } = {}): Promise<string | undefined> {
    const refuse = (code: string, message: string): undefined => {
      if (options.strict) throw conflict(code, message)
      log.debug('routine {id} not fired: {message}', { id: routine.id, message })
      return undefined
    }
    if (!routine.enabled) return refuse('routine_disabled', 'The routine is disabled')
    const now = this.deps.clock.now()
    if (routine.cooldown_secs > 0 && routine.last_run_at && Date.parse(routine.last_run_at) + routine.cooldown_secs * 1000 > now) {
      return refuse('routine_cooldown', `The routine ran less than ${routine.cooldown_secs} s ago (cooldown)`)
    }
    if ((await this.deps.repo.runningCount(routine.id, new Date(now - ABANDONED_AFTER_MS).toISOString())) >= routine.max_concurrent) {
      return refuse('routine_busy', `The routine already has ${routine.max_concurrent} run(s) in progress`)
    }
    if (this.deps.userActive && !(await this.deps.userActive(routine.user_id))) {
      if (options.strict) throw new GatewayError(403, 'user_suspended', "The routine's user is suspended")
      log.debug('routine {id} not fired: its user is suspended', { id: routine.id })
      return undefined
    }
    const startedAt = new Date(now).toISOString()
    const runId = crypto.randomUUID()
    let permit: ModelCallPermit
    try {
      permit = await this.deps.budget.take(routine.user_id, 'routine')
    } catch (error) {
      if (options.strict || !(error instanceof GatewayError)) throw error
      // A scheduled slot or an event over budget is recorded as failed (it does not run later).
      await this.#recordRefused(routine, runId, cause, startedAt, error.message)
      return undefined
    }
    const inserted = await this.deps.repo.insertRun({
      id: runId,
      routine_id: routine.id,
      user_id: routine.user_id,
      trigger_type: cause.type,
      trigger_key: cause.key ?? null,
      status: 'running',
      result_summary: null,
      tokens_used: null,
      job_id: null,
      thread_id: routine.thread_id,
      started_at: startedAt,
      completed_at: null,
    })
    if (!inserted) {
      await permit.refund()
      return refuse('duplicate_delivery', 'This trigger has already run the routine')
    }
    await this.deps.repo.recordStart(routine.id, startedAt)
    await this.#publish(routine, runId, cause.type, 'running')
    const task = this.#execute(routine, runId, cause)
      .catch((error) => log.error('routine run {runId} failed to settle: {error}', { runId, error }))
      .finally(() => this.#inFlight.delete(task))
    this.#inFlight.add(task)
    return runId
  }

  async #recordRefused(routine: RoutineRecord, runId: string, cause: FireCause, at: string, reason: string): Promise<void> {
    const inserted = await this.deps.repo.insertRun({
      id: runId,
      routine_id: routine.id,
      user_id: routine.user_id,
      trigger_type: cause.type,
      trigger_key: cause.key ?? null,
      status: 'failed',
      result_summary: clip(`Not run: ${reason}`),
      tokens_used: null,
      job_id: null,
      thread_id: routine.thread_id,
      started_at: at,
      completed_at: at,
    })
    if (!inserted) return
    await this.deps.repo.recordEnd(routine.id, 'failed', at)
    await this.#publish(routine, runId, cause.type, 'failed', clip(`Not run: ${reason}`))
  }

  /** Resolves when no run started here is still executing (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight])
  }

  async #execute(routine: RoutineRecord, runId: string, cause: FireCause): Promise<void> {
    let result: { status: RunStatus; summary: string | null; tokens: number | null; jobId: string | null }
    try {
      result = routine.action.type === 'lightweight' ? await this.#prompt(routine, runId, cause) : await this.#job(routine, cause)
    } catch (error) {
      result = { status: 'failed', summary: errorMessage(error), tokens: null, jobId: null }
    }
    const completedAt = new Date(this.deps.clock.now()).toISOString()
    const summary = result.summary === null ? null : clip(result.summary)
    await this.deps.repo.finishRun(runId, { status: result.status, result_summary: summary, tokens_used: result.tokens, job_id: result.jobId, completed_at: completedAt })
    await this.deps.repo.recordEnd(routine.id, result.status, completedAt)
    await this.#publish(routine, runId, cause.type, result.status, summary ?? undefined, result.jobId ?? undefined)
  }

  async #prompt(routine: RoutineRecord, runId: string, cause: FireCause) {
    if (routine.action.type !== 'lightweight') throw new Error('not a prompt routine')
    const content = cause.context ? `${routine.action.prompt}\n\n${cause.context}` : routine.action.prompt
    // A tool that needs approval leaves the run at `attention`: the card waits in the routine's thread.
    const outcome = await this.deps.runMessage(
      {
        id: crypto.randomUUID(),
        userId: routine.user_id,
        threadId: routine.thread_id,
        content,
        images: [],
        source: 'routine',
        receivedAt: new Date(this.deps.clock.now()).toISOString(),
        metadata: { routine_id: routine.id, routine_name: routine.name, run_id: runId },
      },
      { untilApproval: true },
    )
    const tokens = outcome.inputTokens + outcome.outputTokens
    switch (outcome.status) {
      case 'completed':
        return { status: 'ok' as const, summary: outcome.text, tokens, jobId: null }
      case 'awaiting_approval':
      case 'blocked':
        return { status: 'attention' as const, summary: outcome.text || 'Waiting for your approval in the routine thread', tokens, jobId: null }
      default:
        return { status: 'failed' as const, summary: outcome.error?.message ?? (outcome.text || `The turn ended ${outcome.status}`), tokens, jobId: null }
    }
  }

  async #job(routine: RoutineRecord, cause: FireCause) {
    if (routine.action.type !== 'full_job') throw new Error('not a job routine')
    const jobs = this.deps.jobs()
    if (!jobs) throw new GatewayError(503, 'jobs_unavailable', 'Sandbox jobs are not available on this gateway')
    const prompt = cause.context ? `${routine.action.description}\n\n${cause.context}` : routine.action.description
    // The run already drew this turn from the budget.
    const job = await jobs.create(routine.user_id, { prompt, title: routine.action.title, kind: jobs.availableKinds()[0] ?? 'agent' }, { threadId: routine.thread_id, prepaid: true })
    // The job runs on its own (its events reach the owner's stream); the run records that it started it.
    return { status: 'ok' as const, summary: `Started job "${job.title}"`, tokens: null, jobId: job.id }
  }

  async #publish(routine: RoutineRecord, runId: string, trigger: TriggerType, status: RunStatus, summary?: string, jobId?: string): Promise<void> {
    await this.deps.hub.publish(
      routine.user_id,
      appEvent('routine_run', {
        routine_id: routine.id,
        routine_name: routine.name,
        run_id: runId,
        trigger_type: trigger,
        status,
        thread_id: routine.thread_id,
        ...(summary !== undefined ? { result_summary: summary } : {}),
        ...(jobId !== undefined ? { job_id: jobId } : {}),
      }),
    )
  }
}

const clip = (text: string): string => {
  const chars = [...text.trim()]
  return chars.length > SUMMARY_CHARS ? `${chars.slice(0, SUMMARY_CHARS).join('')}…` : chars.join('')
}
