import type { EventBus } from '../../ports/event-bus'
import { conflict, notFound } from '../../lib/errors'
import { type Clock, isoNow } from '../../lib/time'
import type { EventSink } from '../../ports/event-sink'
import type { CreateJobRequest, JobDetail, JobEventList, JobKind, JobLinks, JobListItem, JobPromptRequest, JobState, JobSummary, WorkspaceFile, WorkspaceListing } from '../../protocol/jobs'
import type { JobAgentRunner } from './agent-port'
import type { JobsConfig } from '../../config/jobs-config'
import type { JobEventLog } from './job-event-log'
import { type KindSupport, kindAvailable, kindUnavailable, resolveKind } from './job-kinds'
import type { Principal } from '../../ports/principal'
import type { ModelCallBudget } from '../../lib/model-call-budget'
import type { LinkCredentials, JobLinks as LinkSigner } from './job-links'
import { JobAdmission, retryPrompt } from './job-admission'
import { JobBrowserAccess } from './job-browser-access'
import { JobRecovery } from './job-recovery'
import { type ActiveJob, JobExecutor, type Prompt } from './job-executor'
import type { JobRepository } from './job-repository'
import type { JobRecord } from './job-rows'
import { jobDetail, jobListItem, jobSummary } from './job-views'
import type { JobAccess, JobRef, JobsPort, JobWorkspace, LinkScope } from './port'
import type { SandboxRuntime } from '../../ports/sandbox'
import { WorkspaceFiles } from './workspace-files'

const CONTROL_TOPIC = 'jobs'

const ACTIVE: readonly JobState[] = ['pending', 'running']

export interface JobsServiceDeps {
  repo: JobRepository
  events: JobEventLog
  sandbox: SandboxRuntime
  config: JobsConfig
  /** Canonical `<dataDir>/jobs`. */
  jobsRoot: string
  links: LinkSigner
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
export class JobsService implements JobsPort {
  readonly #runnerId = crypto.randomUUID()
  readonly #exec: JobExecutor
  readonly #recovery: JobRecovery
  readonly #admission: JobAdmission
  readonly #unsubscribe: Array<() => void> = []
  #closed = false
  /** The `files/list` and `files/read` operations. */
  readonly files: WorkspaceFiles
  /** Signed links and what browsers open with them (events, `/projects`). */
  readonly #browser: JobBrowserAccess

  readonly #deps: JobsServiceDeps
  readonly #repo: JobRepository

  constructor(deps: JobsServiceDeps) {
    this.#deps = deps
    this.#repo = deps.repo
    this.files = new WorkspaceFiles(deps.sandbox.fs, deps.config.readCapBytes)
    this.#browser = new JobBrowserAccess({ ...deps, workspaceOf: (job) => this.workspaceOf(job) })
    this.#exec = new JobExecutor({ ...deps, runnerId: this.#runnerId })
    this.#recovery = new JobRecovery({ ...deps, runnerId: this.#runnerId, executor: this.#exec })
    this.#admission = new JobAdmission({ ...deps, enqueue: (job) => this.#exec.enqueue(job), projectPath: (job) => this.projectPath(job) })
  }

  get #active(): Map<string, ActiveJob> {
    return this.#exec.active
  }

  get #support(): KindSupport {
    const agent = this.#exec.agent
    return { agent: agent !== undefined && (agent.available?.() ?? true), processes: this.#deps.sandbox.processes !== undefined, config: this.#deps.config }
  }

  /** Confined access to workspaces (for `/projects`). */
  get fs() {
    return this.#deps.sandbox.fs
  }

  /** `bwrap` (namespaces) or `process` (confined paths, scrubbed environment, process groups); `files_only` without processes. */
  get isolation(): string {
    return this.#deps.sandbox.processes?.isolation ?? 'files_only'
  }

  get config(): JobsConfig {
    return this.#deps.config
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
    await this.#recovery.start()
    for (const job of await this.#repo.withStatus(['pending'])) this.#exec.enqueue(job)
    this.#unsubscribe.push(
      this.#deps.bus.onControl((message) => {
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

  list(userId: string, limit = 100): Promise<JobListItem[]> {
    return this.#repo.list(userId, limit).then((jobs) => jobs.map(jobListItem))
  }

  async summary(userId: string): Promise<JobSummary> {
    return jobSummary(await this.#repo.countByStatus(userId))
  }

  async get(caller: Principal, id: string): Promise<JobDetail> {
    return this.#detail(await this.#owned(caller.userId, id), caller)
  }

  async links(caller: Principal, id: string): Promise<JobLinks> {
    return this.#browser.links(await this.#owned(caller.userId, id), caller)
  }

  async authorize(jobId: string, by: { principal: Principal } | { scope: LinkScope; token: string }): Promise<JobAccess> {
    return 'principal' in by ? { job: await this.#owned(by.principal.userId, jobId), principal: by.principal } : this.#browser.authorize(jobId, by)
  }

  events(job: JobRef, after: number, limit: number): Promise<JobEventList> {
    return this.#browser.events(job, after, limit)
  }

  streamEvents(job: JobRef, sink: EventSink, afterSeq: number, opener: { tokenId: string | null }): void {
    this.#browser.streamEvents(job, sink, afterSeq, opener)
  }

  workspace(job: JobRef): Promise<JobWorkspace> {
    return this.#browser.workspace(job)
  }

  async listFiles(userId: string, id: string, path: string): Promise<WorkspaceListing> {
    return this.files.list(this.workspaceOf(await this.#owned(userId, id)), path)
  }

  async readFile(userId: string, id: string, path: string): Promise<WorkspaceFile> {
    return this.files.read(this.workspaceOf(await this.#owned(userId, id)), path)
  }

  /** The caller's job, or 404 (another user's job is indistinguishable from a missing one). */
  async #owned(userId: string, id: string): Promise<JobRecord> {
    const job = await this.#repo.get(id)
    if (!job || job.user_id !== userId) throw notFound('job', 'Job not found')
    return job
  }

  /** The job as the API shows it, its links minted by `caller`'s credential. */
  async #detail(job: JobRecord, caller: Principal): Promise<JobDetail> {
    const support = this.#support
    const can = {
      cancel: ACTIVE.includes(job.status),
      restart: (job.status === 'failed' || job.status === 'cancelled') && kindAvailable(support, job),
      prompt: !job.prompts_closed && job.status !== 'failed' && job.status !== 'cancelled' && kindAvailable(support, job),
    }
    return jobDetail(job, await this.#browser.links(job, caller), can, this.#deps.clock.now())
  }

  /** The bearer-only address of a job's files, for events and tool output (no capability in it). */
  projectPath(job: Pick<JobRef, 'id'>): string {
    return `/projects/${job.id}/`
  }

  /** Canonical path of a job's workspace (it may not exist yet). */
  workspaceOf(job: Pick<JobRecord, 'workspace_id'>): string {
    return `${this.#deps.jobsRoot}/${job.workspace_id}/workspace`
  }

  // --- commands ---

  /**
   * Queues a new job. `prepaid`: the caller already drew this turn from the user's model-call
   * budget (a routine run); otherwise it is drawn here (429 past it).
   */
  async create(userId: string, input: CreateJobRequest, origin: { threadId?: string | undefined; prepaid?: boolean | undefined } = {}): Promise<JobRef> {
    const command = resolveKind(this.#support, input.kind, input.command)
    return this.#admission.admit(userId, input, command, { threadId: origin.threadId ?? null }, origin.prepaid === true)
  }

  async cancel(userId: string, id: string): Promise<void> {
    const job = await this.#owned(userId, id)
    if (!ACTIVE.includes(job.status)) throw conflict('job_not_active', `Job is already ${job.status}`)
    const cancelled = await this.#repo.transition(id, ACTIVE, 'cancelled', {
      reason: 'Cancelled by user',
      now: isoNow(this.#deps.clock),
      patch: { completed_at: isoNow(this.#deps.clock), runner_id: null, failure_reason: 'Cancelled by user' },
    })
    if (!cancelled) {
      const now = await this.#owned(userId, id)
      throw conflict('job_not_active', `Job is already ${now.status}`)
    }
    this.#exec.dequeue(id)
    const active = this.#active.get(id)
    if (active) await this.#exec.stop(active)
    else if (job.status === 'running') await this.#deps.bus.publishControl({ kind: 'custom', topic: CONTROL_TOPIC, payload: { action: 'cancel', jobId: id } })
    await this.#exec.finished(cancelled, 'Cancelled by user')
  }

  /** Retries a failed or cancelled job as a new job in the same workspace. */
  async restart(userId: string, id: string): Promise<JobRef> {
    const old = await this.#owned(userId, id)
    if (old.status !== 'failed' && old.status !== 'cancelled') throw conflict('job_not_restartable', `Cannot restart job in state '${old.status}'`)
    const command = resolveKind(this.#support, old.kind, old.command ?? undefined)
    if (await this.#repo.workspaceBusy(old.workspace_id)) throw conflict('workspace_busy', 'Another attempt of this job is still running')
    // Same directory: the new attempt sees (and can fix) what the last one left behind.
    return this.#admission.admit(userId, { prompt: retryPrompt(old), title: old.title, kind: old.kind }, command, {
      threadId: old.thread_id,
      workspaceId: old.workspace_id,
      restartedFrom: old.id,
    })
  }

  /** A follow-up prompt: queued behind the running turn, or a new turn of a completed job. */
  async prompt(userId: string, id: string, input: JobPromptRequest): Promise<'queued' | 'sent'> {
    const job = await this.#owned(userId, id)
    if (job.status === 'failed' || job.status === 'cancelled') throw conflict('job_not_running', `Job is ${job.status}; restart it instead`)
    if (job.prompts_closed) throw conflict('job_closed', 'This job takes no more prompts (it was told it was done)')
    if (!kindAvailable(this.#support, job)) throw kindUnavailable(job.kind)
    return this.#admission.charged(userId, false, () =>
      this.#exec.followUp(job, { content: input.content, done: input.done }, {
        toRunner: (prompt) => this.#deps.bus.publishControl({ kind: 'custom', topic: CONTROL_TOPIC, payload: { action: 'prompt', jobId: id, prompt } }),
        current: () => this.#owned(userId, id),
      }),
    )
  }

  async deleteUser(userId: string): Promise<void> {
    this.#exec.dequeueUser(userId)
    await Promise.all([...this.#active.values()].filter((a) => a.userId === userId).map((a) => this.#exec.stop(a)))
    const workspaces = await this.#repo.deleteUser(userId)
    for (const workspaceId of workspaces) await this.#deps.sandbox.fs.removeTree(`${this.#deps.jobsRoot}/${workspaceId}`)
  }

  /** Stops every running job (failed: "gateway stopped", so they can be restarted) and the timers. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#recovery.stop()
    for (const off of this.#unsubscribe) off()
    await this.#exec.stopAll('gateway stopped')
    await this.#deps.events.flush()
    this.#browser.closeStreams()
  }

  /** Pids of the process groups a job is running now (tests and diagnostics). */
  processIds(jobId: string): number[] {
    return this.#active.get(jobId)?.processes.pids() ?? []
  }
}
