import { getLogger } from '@logtape/logtape'
import type { EventBus } from '../../hub/event-bus'
import { conflict, GatewayError, notFound } from '../../lib/errors'
import { quotaExceeded } from '../../lib/quota'
import { type Clock, isoNow, unrefTimer } from '../../lib/time'
import { appEvent } from '../../protocol/events'
import type { CreateJobRequest, JobKind, JobPromptRequest, JobState } from '../../protocol/jobs'
import type { JobAgentRunner } from './agent-port'
import type { JobCommandConfig, JobsConfig } from './jobs-config'
import type { JobEventLog } from './job-event-log'
import { type KindSupport, kindAvailable, kindUnavailable, newJob, resolveKind } from './job-kinds'
import type { Principal } from '../../auth/principal'
import type { ModelCallBudget } from '../usage/model-call-budget'
import type { JobLinks, LinkCredentials } from './job-links'
import { JobEventStreams } from './job-event-streams'
import { type ActiveJob, JobExecutor, type Prompt } from './job-executor'
import type { JobRecord, JobRepository } from './job-repository'
import type { SandboxRuntime } from './sandbox-port'
import { WorkspaceFiles } from './workspace-files'

const log = getLogger(['gateway', 'jobs'])

/** How often this instance says its running jobs are alive, and when silence means its runner is gone. */
const HEARTBEAT_MS = 15_000
const STALE_MS = 60_000
const CONTROL_TOPIC = 'jobs'

const ACTIVE: readonly JobState[] = ['pending', 'running']

export interface JobsServiceDeps {
  repo: JobRepository
  events: JobEventLog
  sandbox: SandboxRuntime
  config: JobsConfig
  /** Canonical `<dataDir>/jobs`. */
  jobsRoot: string
  links: JobLinks
  /** Names, binds and re-checks the credential each link was minted with. */
  credentials: LinkCredentials
  /** Every job turn (start, restart, follow-up prompt) draws one start from its user's budget. */
  budget: ModelCallBudget
  /** Jobs one user may have pending or running at once (429 `quota_exceeded` past it). */
  openJobsPerUser: number
  bus: EventBus
  clock: Clock
  /** The only gateway on this database (SQLite): jobs found running at start-up are orphans. */
  exclusive: boolean
}

/**
 * Sandbox jobs: long-running agent or CLI work, each in a workspace directory of its own, with a
 * persisted record and event log. Runs at most `maxRunning` jobs (`maxRunningPerUser` per user),
 * queueing the rest as `pending`. Jobs never stay `running` across a restart: the next start marks
 * them failed ("gateway restarted"), and `restart` retries them in the same workspace.
 */
export class JobsService {
  readonly #runnerId = crypto.randomUUID()
  readonly #exec: JobExecutor
  readonly #timers: Array<ReturnType<typeof setInterval>> = []
  readonly #unsubscribe: Array<() => void> = []
  #closed = false
  /** The `files/list` and `files/read` operations. */
  readonly files: WorkspaceFiles
  /** Open `GET /api/jobs/{id}/events` streams on this instance. */
  readonly streams: JobEventStreams

  constructor(private readonly d: JobsServiceDeps) {
    this.files = new WorkspaceFiles(d.sandbox.fs, d.config.readCapBytes)
    this.streams = new JobEventStreams(d.repo, d.bus)
    this.#exec = new JobExecutor({ ...d, runnerId: this.#runnerId })
  }

  get #active(): Map<string, ActiveJob> {
    return this.#exec.active
  }

  get #support(): KindSupport {
    const agent = this.#exec.agent
    return { agent: agent !== undefined && (agent.available?.() ?? true), processes: this.d.sandbox.processes !== undefined, config: this.d.config }
  }

  /** Confined access to workspaces (for `/projects`). */
  get fs() {
    return this.d.sandbox.fs
  }

  /** `bwrap` (namespaces) or `process` (confined paths, scrubbed environment, process groups); `files_only` without processes. */
  get isolation(): string {
    return this.d.sandbox.processes?.isolation ?? 'files_only'
  }

  get config(): JobsConfig {
    return this.d.config
  }

  get repo(): JobRepository {
    return this.d.repo
  }

  /** Plugs the agent loop in for `agent` jobs; returns a function that unplugs it. */
  attachAgent(runner: JobAgentRunner): () => void {
    this.#exec.agent = runner
    return () => {
      if (this.#exec.agent === runner) this.#exec.agent = undefined
    }
  }

  /** Kinds a new job can have right now. */
  availableKinds(): JobKind[] {
    const support = this.#support
    return (['agent', 'command'] as const).filter((kind) => (kind === 'agent' ? support.agent : support.processes && support.config.commands.length > 0))
  }

  /** Recovers from the last run and starts the heartbeat; called once by the factory. */
  async start(): Promise<void> {
    await this.#failOrphans(true)
    for (const job of await this.d.repo.withStatus(['pending'])) this.#exec.enqueue(job)
    this.#timers.push(unrefTimer(setInterval(() => void this.#heartbeat().catch((error: unknown) => log.warn('job heartbeat failed: {error}', { error })), HEARTBEAT_MS)))
    this.#unsubscribe.push(
      this.d.bus.onControl((message) => {
        if (message.kind !== 'custom' || message.topic !== CONTROL_TOPIC) return
        const payload = message.payload as { action?: string; jobId?: string; prompt?: Prompt }
        const active = payload.jobId ? this.#active.get(payload.jobId) : undefined
        if (!active) return
        if (payload.action === 'cancel') void this.#exec.stop(active)
        if (payload.action === 'prompt' && payload.prompt) active.prompts.push(payload.prompt)
      }),
    )
  }

  // --- queries ---

  /** The caller's job, or 404 (another user's job is indistinguishable from a missing one). */
  async get(userId: string, id: string): Promise<JobRecord> {
    const job = await this.d.repo.get(id)
    if (!job || job.userId !== userId) throw notFound('job', 'Job not found')
    return job
  }

  list(userId: string, limit = 100): Promise<JobRecord[]> {
    return this.d.repo.list(userId, limit)
  }

  async summary(userId: string): Promise<Record<JobState | 'total', number>> {
    const counts = await this.d.repo.countByStatus(userId)
    const n = (s: JobState) => counts.get(s) ?? 0
    return {
      total: [...counts.values()].reduce((a, b) => a + b, 0),
      pending: n('pending'),
      running: n('running'),
      completed: n('completed'),
      failed: n('failed'),
      cancelled: n('cancelled'),
    }
  }

  canCancel(job: JobRecord): boolean {
    return ACTIVE.includes(job.status)
  }

  canRestart(job: JobRecord): boolean {
    return (job.status === 'failed' || job.status === 'cancelled') && kindAvailable(this.#support, job)
  }

  canPrompt(job: JobRecord): boolean {
    return !job.promptsClosed && job.status !== 'failed' && job.status !== 'cancelled' && kindAvailable(this.#support, job)
  }

  /**
   * Signed links for a browser, minted for the job's user by `principal` (the request's own
   * credential, which each use of the link checks again): the files (`/projects/...`) and the
   * event stream.
   */
  async links(job: JobRecord, principal: Principal): Promise<{ browse_url: string; events_url: string; expires_at: string }> {
    const exp = this.d.links.expiry()
    const ref = this.d.credentials.credentialRef(principal)
    const credential = { ref, binding: this.d.credentials.credentialBinding(ref) }
    const [browse, events] = await Promise.all([
      this.d.links.sign('browse', job.userId, job.id, credential, exp),
      this.d.links.sign('events', job.userId, job.id, credential, exp),
    ])
    return {
      browse_url: `/projects/${job.id}.${browse}/`,
      events_url: `/api/jobs/${job.id}/events?ticket=${events}`,
      expires_at: new Date(exp * 1000).toISOString(),
    }
  }

  /** The bearer-only address of a job's files, for events and tool output (no capability in it). */
  projectPath(job: Pick<JobRecord, 'id'>): string {
    return `/projects/${job.id}/`
  }

  /**
   * Checks a link on use: its signature and expiry, then that the credential it was minted with
   * still authenticates the job's user (`revoked`: the token was revoked or expired, or the user
   * suspended or deleted). `valid` carries the principal the link acts for.
   */
  async verifyLink(scope: 'browse' | 'events', job: JobRecord, token: string): Promise<{ status: 'valid'; principal: Principal } | { status: 'expired' | 'invalid' | 'revoked' }> {
    const verdict = await this.d.links.verify(scope, job.userId, job.id, token, (ref) => this.d.credentials.credentialBinding(ref))
    if (verdict.status !== 'valid') return verdict
    const principal = await this.d.credentials.checkCredential(job.userId, verdict.credential)
    return principal ? { status: 'valid', principal } : { status: 'revoked' }
  }

  /** Canonical path of a job's workspace (it may not exist yet). */
  workspaceOf(job: Pick<JobRecord, 'workspaceId'>): string {
    return `${this.d.jobsRoot}/${job.workspaceId}/workspace`
  }

  // --- commands ---

  /**
   * Queues a new job. `prepaid`: the caller already drew this turn from the user's model-call
   * budget (a routine run); otherwise it is drawn here (429 past it).
   */
  async create(userId: string, input: CreateJobRequest, origin: { threadId?: string | undefined; prepaid?: boolean } = {}): Promise<JobRecord> {
    const command = resolveKind(this.#support, input.kind, input.command)
    return this.#charged(userId, origin.prepaid === true, async () => {
      await this.#checkQueue(userId)
      return this.#insert(userId, input, command, { threadId: origin.threadId ?? null })
    })
  }

  /** Runs `start` with one turn drawn from the user's budget, given back when `start` fails. */
  async #charged<T>(userId: string, prepaid: boolean, start: () => Promise<T>): Promise<T> {
    const permit = prepaid ? undefined : await this.d.budget.take(userId, 'job')
    try {
      return await start()
    } catch (error) {
      await permit?.refund()
      throw error
    }
  }

  async #insert(userId: string, input: Pick<CreateJobRequest, 'prompt' | 'title' | 'kind'>, command: JobCommandConfig | undefined, extra: Parameters<typeof newJob>[3]): Promise<JobRecord> {
    const job = newJob(userId, input, command, extra, this.d.clock)
    await this.d.repo.insert(job)
    await this.#announce(job)
    return job
  }

  async cancel(userId: string, id: string): Promise<void> {
    const job = await this.get(userId, id)
    if (!ACTIVE.includes(job.status)) throw conflict('job_not_active', `Job is already ${job.status}`)
    const cancelled = await this.d.repo.transition(id, ACTIVE, 'cancelled', {
      reason: 'Cancelled by user',
      now: isoNow(this.d.clock),
      patch: { completed_at: isoNow(this.d.clock), runner_id: null, failure_reason: 'Cancelled by user' },
    })
    if (!cancelled) {
      const now = await this.get(userId, id)
      throw conflict('job_not_active', `Job is already ${now.status}`)
    }
    this.#exec.dequeue(id)
    const active = this.#active.get(id)
    if (active) await this.#exec.stop(active)
    else if (job.status === 'running') await this.d.bus.publishControl({ kind: 'custom', topic: CONTROL_TOPIC, payload: { action: 'cancel', jobId: id } })
    await this.#exec.finished(cancelled, 'Cancelled by user')
  }

  /** Retries a failed or cancelled job as a new job in the same workspace. */
  async restart(userId: string, id: string): Promise<JobRecord> {
    const old = await this.get(userId, id)
    if (old.status !== 'failed' && old.status !== 'cancelled') throw conflict('job_not_restartable', `Cannot restart job in state '${old.status}'`)
    const command = resolveKind(this.#support, old.kind, old.command ?? undefined)
    if (await this.d.repo.workspaceBusy(old.workspaceId)) throw conflict('workspace_busy', 'Another attempt of this job is still running')
    return this.#charged(userId, false, () => this.#restart(userId, old, command))
  }

  async #restart(userId: string, old: JobRecord, command: JobCommandConfig | undefined): Promise<JobRecord> {
    const prompt =
      old.status === 'cancelled'
        ? `The previous attempt was cancelled. Retry: ${old.prompt}`
        : old.failureReason
          ? `Previous attempt failed: ${old.failureReason}. Retry: ${old.prompt}`
          : old.prompt
    await this.#checkQueue(userId)
    // Same directory: the new attempt sees (and can fix) what the last one left behind.
    return this.#insert(userId, { prompt, title: old.title, kind: old.kind }, command, {
      threadId: old.threadId,
      workspaceId: old.workspaceId,
      restartedFrom: old.id,
    })
  }

  /** A follow-up prompt: queued behind the running turn, or a new turn of a completed job. */
  async prompt(userId: string, id: string, input: JobPromptRequest): Promise<'queued' | 'sent'> {
    const job = await this.get(userId, id)
    if (job.status === 'failed' || job.status === 'cancelled') throw conflict('job_not_running', `Job is ${job.status}; restart it instead`)
    if (job.promptsClosed) throw conflict('job_closed', 'This job takes no more prompts (it was told it was done)')
    if (!kindAvailable(this.#support, job)) throw kindUnavailable(job.kind)
    return this.#charged(userId, false, () => this.#prompt(userId, id, job, input))
  }

  async #prompt(userId: string, id: string, job: JobRecord, input: JobPromptRequest): Promise<'queued' | 'sent'> {
    const prompt = { content: input.content, done: input.done }
    const active = this.#active.get(id)
    if (active?.accepting) {
      active.prompts.push(prompt)
      return 'queued'
    }
    if (job.status === 'pending' || (job.status === 'running' && !active)) {
      if (job.status === 'running') await this.d.bus.publishControl({ kind: 'custom', topic: CONTROL_TOPIC, payload: { action: 'prompt', jobId: id, prompt } })
      else this.#exec.promptBeforeStart(id, prompt)
      return 'queued'
    }
    // Finishing or completed: wait for the last turn to settle, then start a new one.
    if (active) await active.done
    const claimed = this.#exec.claim(job)
    if (!claimed) {
      // Another prompt reopened it meanwhile: queue behind that one.
      const current = this.#active.get(id)
      if (!current?.accepting) throw conflict('job_busy', 'The job is finishing a turn; try again')
      current.prompts.push(prompt)
      return 'queued'
    }
    const now = isoNow(this.d.clock)
    const reopened = await this.d.repo.transition(id, ['completed'], 'running', { reason: 'Follow-up prompt', now, patch: { completed_at: null, runner_id: this.#runnerId, heartbeat_at: now } })
    if (!reopened) {
      this.#exec.release(claimed)
      const current = await this.get(userId, id)
      throw conflict('job_not_running', `Job is ${current.status}`)
    }
    await this.d.events.record(reopened, 'status', { message: 'Follow-up prompt received', state: 'running' })
    this.#exec.launch(claimed, reopened, prompt)
    return 'sent'
  }

  async deleteUser(userId: string): Promise<void> {
    this.#exec.dequeueUser(userId)
    await Promise.all([...this.#active.values()].filter((a) => a.userId === userId).map((a) => this.#exec.stop(a)))
    const workspaces = await this.d.repo.deleteUser(userId)
    for (const workspaceId of workspaces) await this.d.sandbox.fs.removeTree(`${this.d.jobsRoot}/${workspaceId}`)
  }

  /** Stops every running job (failed: "gateway stopped", so they can be restarted) and the timers. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    for (const timer of this.#timers) clearInterval(timer)
    for (const off of this.#unsubscribe) off()
    this.#exec.closed = true
    const running = [...this.#active.values()]
    await Promise.all(
      running.map(async (active) => {
        // Failed first, so the aborted turn does not record itself as completed.
        const failed = await this.d.repo.transition(active.id, ['running'], 'failed', { reason: 'gateway stopped', now: isoNow(this.d.clock), patch: { completed_at: isoNow(this.d.clock), runner_id: null, failure_reason: 'gateway stopped' } })
        await this.#exec.stop(active)
        if (failed) await this.#exec.finished(failed, 'gateway stopped').catch(() => undefined)
      }),
    )
    await this.d.events.flush()
    this.streams.closeAll()
  }

  /** Pids of the process groups a job is running now (tests and diagnostics). */
  processIds(jobId: string): number[] {
    return this.#active.get(jobId)?.processes.pids() ?? []
  }

  // --- internals ---

  async #checkQueue(userId: string): Promise<void> {
    const counts = await this.d.repo.countByStatus(userId)
    const pending = counts.get('pending') ?? 0
    if (pending + (counts.get('running') ?? 0) >= this.d.openJobsPerUser) {
      throw quotaExceeded('open jobs', this.d.openJobsPerUser, 'wait for some to finish or cancel them', 30)
    }
    if (pending >= this.d.config.maxPendingPerUser) {
      throw new GatewayError(429, 'too_many_jobs', `You already have ${pending} jobs waiting to run; wait for them or cancel some`, { headers: { 'Retry-After': '30' } })
    }
  }

  async #announce(job: JobRecord): Promise<void> {
    await this.d.events.record(job, 'status', { message: 'Job queued', state: 'pending' })
    // Not a signed link: an event reaches every stream of the user and outlives the request.
    await this.d.events.publish(job.userId, appEvent('job_started', { job_id: job.id, title: job.title, browse_url: this.projectPath(job) }))
    this.#exec.enqueue(job)
  }

  async #heartbeat(): Promise<void> {
    await this.d.repo.heartbeat(this.#runnerId, [...this.#active.keys()], isoNow(this.d.clock))
    await this.#failOrphans(false)
  }

  /**
   * Jobs left `running` by a gateway that is gone. With SQLite this instance is the only one, so at
   * start-up every running job is an orphan; on a shared database, only those whose runner stopped
   * sending heartbeats.
   */
  async #failOrphans(startup: boolean): Promise<void> {
    const staleBefore = new Date(this.d.clock.now() - STALE_MS).toISOString()
    for (const job of await this.d.repo.withStatus(['running'])) {
      if (this.#active.has(job.id)) continue
      const orphan = (startup && this.d.exclusive) || job.heartbeatAt === null || job.heartbeatAt < staleBefore
      if (!orphan) continue
      await this.#exec.end(job.id, 'failed', 'gateway restarted')
    }
  }
}
