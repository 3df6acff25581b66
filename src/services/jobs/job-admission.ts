import type { JobCommandConfig, JobsConfig } from '../../config/jobs-config'
import { GatewayError } from '../../lib/errors'
import type { ModelCallBudget } from '../../lib/model-call-budget'
import { quotaExceeded } from '../../lib/quota'
import type { Clock } from '../../lib/time'
import { appEvent } from '../../protocol/events'
import type { CreateJobRequest } from '../../protocol/jobs'
import type { JobEventLog } from './job-event-log'
import { newJob } from './job-kinds'
import type { JobRepository } from './job-repository'
import type { JobRecord } from './job-rows'
import type { JobRef } from './port'

export interface JobAdmissionDeps {
  repo: JobRepository
  events: JobEventLog
  /** Every job turn (start, restart, follow-up prompt) draws one start from its user's budget. */
  budget: ModelCallBudget
  config: JobsConfig
  /** Jobs one user may have pending or running at once (429 `quota_exceeded` past it). */
  openJobsPerUser: number
  clock: Clock
  /** Queues a job for the executor. */
  enqueue: (job: JobRecord) => void
  /** The bearer-only address of a job's files, announced in `job_started`. */
  projectPath: (job: Pick<JobRef, 'id'>) => string
}

/**
 * Letting a job turn in: one start drawn from the user's model-call budget (given back when the
 * turn is refused), the open-jobs quota and the pending cap, then the new record, its first event
 * and its place in the queue.
 */
export class JobAdmission {
  readonly #deps: JobAdmissionDeps

  constructor(deps: JobAdmissionDeps) {
    this.#deps = deps
  }

  /** Queues a new job; `prepaid`: the caller already drew this turn (a routine run). */
  admit(userId: string, input: Pick<CreateJobRequest, 'prompt' | 'title' | 'kind'>, command: JobCommandConfig | undefined, extra: Parameters<typeof newJob>[3], prepaid = false): Promise<JobRecord> {
    return this.charged(userId, prepaid, async () => {
      await this.#checkQueue(userId)
      const job = newJob(userId, input, command, extra, this.#deps.clock)
      await this.#deps.repo.insert(job)
      await this.#announce(job)
      return job
    })
  }

  /** Runs `start` with one turn drawn from the user's budget, given back when `start` fails. */
  async charged<T>(userId: string, prepaid: boolean, start: () => Promise<T>): Promise<T> {
    const permit = prepaid ? undefined : await this.#deps.budget.take(userId, 'job')
    try {
      return await start()
    } catch (error) {
      await permit?.refund()
      throw error
    }
  }

  async #checkQueue(userId: string): Promise<void> {
    const counts = await this.#deps.repo.countByStatus(userId)
    const pending = counts.get('pending') ?? 0
    if (pending + (counts.get('running') ?? 0) >= this.#deps.openJobsPerUser) {
      throw quotaExceeded('open jobs', this.#deps.openJobsPerUser, 'wait for some to finish or cancel them', 30)
    }
    if (pending >= this.#deps.config.maxPendingPerUser) {
      throw new GatewayError(429, 'too_many_jobs', `You already have ${pending} jobs waiting to run; wait for them or cancel some`, { headers: { 'Retry-After': '30' } })
    }
  }

  async #announce(job: JobRecord): Promise<void> {
    await this.#deps.events.record(job, 'status', { message: 'Job queued', state: 'pending' })
    // Not a signed link: an event reaches every stream of the user and outlives the request.
    await this.#deps.events.publish(job.user_id, appEvent('job_started', { job_id: job.id, title: job.title, browse_url: this.#deps.projectPath(job) }))
    this.#deps.enqueue(job)
  }
}

/** A retry's prompt tells the agent how the last attempt ended. */
export function retryPrompt(old: Pick<JobRecord, 'status' | 'failure_reason' | 'prompt'>): string {
  return old.status === 'cancelled'
    ? `The previous attempt was cancelled. Retry: ${old.prompt}`
    : old.failure_reason
      ? `Previous attempt failed: ${old.failure_reason}. Retry: ${old.prompt}`
      : old.prompt
}
