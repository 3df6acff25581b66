import { getLogger } from '@logtape/logtape'
import { conflict } from '../../lib/errors'
import { type Clock, isoNow } from '../../lib/time'
import type { JobState } from '../../protocol/jobs'
import { type JobAgentRunner, jobSystemPrompt } from './agent-port'
import type { JobEventLog } from './job-event-log'
import type { JobRepository } from './job-repository'
import type { JobRecord } from './job-rows'
import { type JobDirs, ProcessSet } from './job-sandbox'
import { runAgentTurn, runCommandTurn, type TurnContext, type TurnOutcome } from './job-turns'
import type { JobsConfig } from '../../config/jobs-config'
import type { SandboxRuntime } from '../../ports/sandbox'
import { WorkspaceTools } from './workspace-tools'

const log = getLogger(['gateway', 'jobs'])

export type Prompt = { content: string; done: boolean }

/** A job running on this instance: its cancel switch, its processes, its queued follow-ups. */
export class ActiveJob {
  readonly abort = new AbortController()
  readonly processes = new ProcessSet()
  readonly prompts: Prompt[] = []
  /** False once the run loop decided to finish: a later prompt starts a new turn instead. */
  accepting = true
  done: Promise<void> = Promise.resolve()

  constructor(
    readonly id: string,
    readonly userId: string,
  ) {}
}

export interface JobExecutorDeps {
  repo: JobRepository
  events: JobEventLog
  sandbox: SandboxRuntime
  config: JobsConfig
  jobsRoot: string
  clock: Clock
  /** This instance, as recorded on the jobs it runs. */
  runnerId: string
}

/**
 * Runs jobs on this instance: the queue of pending jobs (at most `maxRunning` at once,
 * `maxRunningPerUser` per user), the turn loop (first prompt, then queued follow-ups), each turn
 * by kind (the agent with workspace tools, or the configured CLI), the state changes at the end,
 * and stopping (abort + killing the process groups).
 */
export class JobExecutor {
  readonly active = new Map<string, ActiveJob>()
  agent: JobAgentRunner | undefined
  /** Set on shutdown: nothing new starts. */
  closed = false
  readonly #queue: Array<{ id: string; user_id: string }> = []
  /** Follow-ups sent to a job before it started. */
  readonly #earlyPrompts = new Map<string, Prompt[]>()

  constructor(private readonly deps: JobExecutorDeps) {}

  enqueue(job: { id: string; user_id: string }): void {
    this.#queue.push({ id: job.id, user_id: job.user_id })
    this.pump()
  }

  dequeue(id: string): void {
    const index = this.#queue.findIndex((q) => q.id === id)
    if (index >= 0) this.#queue.splice(index, 1)
    this.#earlyPrompts.delete(id)
  }

  dequeueUser(userId: string): void {
    for (const entry of this.#queue.filter((q) => q.user_id === userId)) this.dequeue(entry.id)
  }

  promptBeforeStart(id: string, prompt: Prompt): void {
    const list = this.#earlyPrompts.get(id) ?? []
    list.push(prompt)
    this.#earlyPrompts.set(id, list)
  }

  /** Starts queued jobs while the concurrency limits allow. */
  pump(): void {
    if (this.closed) return
    for (let i = 0; i < this.#queue.length && this.active.size < this.deps.config.maxRunning; ) {
      const entry = this.#queue[i]!
      const mine = [...this.active.values()].filter((a) => a.userId === entry.user_id).length
      if (mine >= this.deps.config.maxRunningPerUser) {
        i++
        continue
      }
      this.#queue.splice(i, 1)
      void this.#begin(entry.id).catch((error: unknown) => log.error('job {id} could not start: {error}', { id: entry.id, error }))
    }
  }

  async #begin(id: string): Promise<void> {
    if (this.closed || this.active.has(id)) return
    const job = await this.deps.repo.get(id)
    if (!job || job.status !== 'pending') return
    const active = this.claim(job)
    if (!active) return
    const now = isoNow(this.deps.clock)
    const started = await this.deps.repo.transition(id, ['pending'], 'running', { now, patch: { started_at: job.started_at ?? now, runner_id: this.deps.runnerId, heartbeat_at: now } })
    if (!started) return this.release(active)
    await this.deps.events.record(started, 'status', { message: 'Job started', state: 'running' })
    this.launch(active, started, { content: started.prompt, done: false })
  }

  /**
   * Marks a job as running here before its state changes in the database, so a prompt sent in
   * between queues on it instead of getting lost. Undefined when it already runs here.
   */
  claim(job: { id: string; user_id: string }): ActiveJob | undefined {
    if (this.active.has(job.id)) return undefined
    const active = new ActiveJob(job.id, job.user_id)
    active.prompts.push(...(this.#earlyPrompts.get(job.id) ?? []))
    this.#earlyPrompts.delete(job.id)
    this.active.set(job.id, active)
    return active
  }

  /** Gives up a claim whose state change lost (the job was cancelled meanwhile). */
  release(active: ActiveJob): void {
    if (this.active.get(active.id) === active) this.active.delete(active.id)
    this.pump()
  }

  /** Runs a claimed job's turns: `first`, then whatever follow-ups queue up. */
  launch(active: ActiveJob, job: JobRecord, first: Prompt): void {
    active.done = this.#run(job, active, first)
      .catch(async (error: unknown) => {
        log.error('job {id} crashed: {error}', { id: job.id, error })
        await this.end(job.id, 'failed', 'internal error')
      })
      .catch(() => undefined)
      .finally(() => {
        this.active.delete(job.id)
        this.pump()
      })
  }

  /**
   * A follow-up prompt for a job that is not failed or cancelled: queued behind the running turn
   * (here, on the instance running it, or until it starts), or a new turn of a completed job.
   */
  async followUp(job: JobRecord, prompt: Prompt, elsewhere: { toRunner: (prompt: Prompt) => Promise<void>; current: () => Promise<JobRecord> }): Promise<'queued' | 'sent'> {
    const active = this.active.get(job.id)
    if (active?.accepting) {
      active.prompts.push(prompt)
      return 'queued'
    }
    if (job.status === 'pending' || (job.status === 'running' && !active)) {
      if (job.status === 'running') await elsewhere.toRunner(prompt)
      else this.promptBeforeStart(job.id, prompt)
      return 'queued'
    }
    // Finishing or completed: wait for the last turn to settle, then start a new one.
    if (active) await active.done
    const claimed = this.claim(job)
    if (!claimed) {
      // Another prompt reopened it meanwhile: queue behind that one.
      const current = this.active.get(job.id)
      if (!current?.accepting) throw conflict('job_busy', 'The job is finishing a turn; try again')
      current.prompts.push(prompt)
      return 'queued'
    }
    const now = isoNow(this.deps.clock)
    const reopened = await this.deps.repo.transition(job.id, ['completed'], 'running', { reason: 'Follow-up prompt', now, patch: { completed_at: null, runner_id: this.deps.runnerId, heartbeat_at: now } })
    if (!reopened) {
      this.release(claimed)
      throw conflict('job_not_running', `Job is ${(await elsewhere.current()).status}`)
    }
    await this.deps.events.record(reopened, 'status', { message: 'Follow-up prompt received', state: 'running' })
    this.launch(claimed, reopened, prompt)
    return 'sent'
  }

  /** Stops every job running here, failed with `reason` first so an aborted turn does not record itself as completed. */
  async stopAll(reason: string): Promise<void> {
    this.closed = true
    await Promise.all(
      [...this.active.values()].map(async (active) => {
        const now = isoNow(this.deps.clock)
        const failed = await this.deps.repo.transition(active.id, ['running'], 'failed', { reason, now, patch: { completed_at: now, runner_id: null, failure_reason: reason } })
        await this.stop(active)
        if (failed) await this.finished(failed, reason).catch(() => undefined)
      }),
    )
  }

  /** Aborts a job's turn and kills its process groups (SIGTERM, then SIGKILL after the grace period). */
  async stop(active: ActiveJob): Promise<void> {
    active.accepting = false
    active.abort.abort()
    await active.processes.killAll(this.deps.config.killGraceMs)
  }

  /** Moves a job from `from` (default: running) to a final state and records it; false when it was not there. */
  async end(id: string, to: JobState, reason: string | null, from: readonly JobState[] = ['running']): Promise<JobRecord | undefined> {
    const now = isoNow(this.deps.clock)
    const patch = { completed_at: now, runner_id: null, ...(reason !== null && to !== 'completed' ? { failure_reason: reason } : {}) }
    const ended = await this.deps.repo.transition(id, from, to, { reason, now, patch })
    if (ended) await this.finished(ended, reason)
    return ended
  }

  /** Records the end of a job: a status line and the `result` event. */
  async finished(job: JobRecord, reason: string | null): Promise<void> {
    const message = job.status === 'completed' ? 'Job completed' : job.status === 'cancelled' ? 'Job cancelled' : `Job failed: ${reason ?? 'unknown error'}`
    await this.deps.events.record(job, 'status', { message, state: job.status })
    await this.deps.events.record(job, 'result', { status: job.status, ...(job.session_id ? { session_id: job.session_id } : {}) })
  }

  /** The turn loop: the first prompt, then queued follow-ups, until none is left or one fails. */
  async #run(job: JobRecord, active: ActiveJob, first: Prompt): Promise<void> {
    const dirs = await this.#prepare(job)
    let conversation = [...job.conversation]
    let sessionId = job.session_id
    let closed = job.prompts_closed
    let result: string | null = job.result
    let prompt: Prompt | undefined = first
    while (prompt) {
      await this.deps.events.record(job, 'message', { role: 'user', content: prompt.content })
      const outcome = await this.#turn(job, dirs, active, prompt.content, conversation, sessionId)
      if (active.abort.signal.aborted || outcome.status === 'cancelled') {
        // A cancelled turn's tokens were spent all the same (best effort: the gateway may be closing).
        await this.deps.repo.addUsage(job.id, outcome.usage.input, outcome.usage.output).catch(() => undefined)
        return
      }
      await this.deps.repo.addUsage(job.id, outcome.usage.input, outcome.usage.output)
      sessionId = outcome.sessionId ?? sessionId
      conversation = [...conversation, { role: 'user', content: prompt.content }, ...(outcome.result ? [{ role: 'assistant' as const, content: outcome.result }] : [])]
      result = outcome.result ?? result
      closed ||= prompt.done
      await this.deps.repo.update(job.id, { session_id: sessionId, conversation: JSON.stringify(conversation), result, prompts_closed: closed }, isoNow(this.deps.clock))
      if (outcome.status === 'failed') {
        await this.end(job.id, 'failed', outcome.failure ?? 'failed')
        return
      }
      prompt = closed ? undefined : active.prompts.shift()
      // Decided in the same tick as the check above: a prompt arriving from now on starts a new turn.
      if (!prompt) active.accepting = false
    }
    await this.end(job.id, 'completed', null)
  }

  #turn(job: JobRecord, dirs: JobDirs, active: ActiveJob, prompt: string, history: JobRecord['conversation'], sessionId: string | null): Promise<TurnOutcome> {
    const ctx: TurnContext = {
      jobId: job.id,
      userId: job.user_id,
      dirs,
      prompt,
      history,
      sessionId,
      signal: active.abort.signal,
      processes: active.processes,
      config: this.deps.config,
      record: (type, data) => this.deps.events.record(job, type, data),
    }
    const failed = (failure: string): Promise<TurnOutcome> => Promise.resolve({ status: 'failed', result: null, failure, usage: { input: 0, output: 0 } })
    if (job.kind === 'command') {
      const command = this.deps.config.commands.find((c) => c.name === job.command)
      const port = this.deps.sandbox.processes
      if (!command || !port) return failed(`Command '${job.command}' is no longer configured`)
      return runCommandTurn(ctx, command, port)
    }
    const runner = this.agent
    if (!runner) return failed('The agent is not available')
    const tools = new WorkspaceTools({ dirs, sandbox: this.deps.sandbox, config: this.deps.config, processes: active.processes, signal: active.abort.signal }).tools()
    const system = jobSystemPrompt({ title: job.title, workspace: dirs.workspace, network: this.deps.config.agentNetwork, canRunCommands: this.deps.sandbox.processes !== undefined })
    return runAgentTurn(ctx, runner, tools, system)
  }

  async #prepare(job: JobRecord): Promise<JobDirs> {
    const base = `${this.deps.jobsRoot}/${job.workspace_id}`
    const [workspace, tmp] = await Promise.all([this.deps.sandbox.fs.ensureDir(`${base}/workspace`), this.deps.sandbox.fs.ensureDir(`${base}/tmp`)])
    return { jobId: job.id, userId: job.user_id, workspace, tmp }
  }
}
