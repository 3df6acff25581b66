import { getLogger } from '@logtape/logtape'
import { type Clock, isoNow, unrefTimer } from '../../lib/time'
import type { JobExecutor } from './job-executor'
import type { JobRepository } from './job-repository'

const log = getLogger(['gateway', 'jobs'])

/** How often this instance says its running jobs are alive, and when silence means its runner is gone. */
const HEARTBEAT_MS = 15_000
const STALE_MS = 60_000

/**
 * Jobs never stay `running` without a runner: this instance marks the jobs it runs as alive, and
 * fails (`gateway restarted`) the running jobs whose runner is gone. With SQLite this instance is
 * the database's only user, so at start-up every running job is an orphan; on a shared database,
 * only those whose runner stopped sending heartbeats.
 */
export class JobRecovery {
  readonly #repo: JobRepository
  readonly #executor: JobExecutor
  readonly #clock: Clock
  readonly #runnerId: string
  readonly #exclusive: boolean
  #timer: ReturnType<typeof setInterval> | undefined

  constructor(deps: { repo: JobRepository; executor: JobExecutor; clock: Clock; runnerId: string; exclusive: boolean }) {
    this.#repo = deps.repo
    this.#executor = deps.executor
    this.#clock = deps.clock
    this.#runnerId = deps.runnerId
    this.#exclusive = deps.exclusive
  }

  async start(): Promise<void> {
    await this.#failOrphans(true)
    this.#timer = unrefTimer(setInterval(() => void this.#heartbeat().catch((error: unknown) => log.warn('job heartbeat failed: {error}', { error })), HEARTBEAT_MS))
  }

  stop(): void {
    clearInterval(this.#timer)
  }

  async #heartbeat(): Promise<void> {
    await this.#repo.heartbeat(this.#runnerId, [...this.#executor.active.keys()], isoNow(this.#clock))
    await this.#failOrphans(false)
  }

  async #failOrphans(startup: boolean): Promise<void> {
    const staleBefore = new Date(this.#clock.now() - STALE_MS).toISOString()
    for (const job of await this.#repo.withStatus(['running'])) {
      if (this.#executor.active.has(job.id)) continue
      const orphan = (startup && this.#exclusive) || job.heartbeat_at === null || job.heartbeat_at < staleBefore
      if (!orphan) continue
      await this.#executor.end(job.id, 'failed', 'gateway restarted')
    }
  }
}
