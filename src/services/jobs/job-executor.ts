import { getLogger } from '@logtape/logtape'
import { type Clock, isoNow } from '../../lib/time'
import type { JobState } from '../../protocol/jobs'
import { type JobAgentRunner, jobSystemPrompt } from './agent-port'
import type { JobEventLog } from './job-event-log'
import type { JobRecord, JobRepository } from './job-repository'
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
  readonly #queue: Array<{ id: string; userId: string }> = []
  /** Follow-ups sent to a job before it started. */
  readonly #earlyPrompts = new Map<string, Prompt[]>()

  constructor(private readonly d: JobExecutorDeps) {}

  enqueue(job: { id: string; userId: string }): void {
    this.#queue.push({ id: job.id, userId: job.userId })
    this.pump()
  }

  dequeue(id: string): void {
    const index = this.#queue.findIndex((q) => q.id === id)
    if (index >= 0) this.#queue.splice(index, 1)
    this.#earlyPrompts.delete(id)
  }

  dequeueUser(userId: string): void {
    for (const entry of this.#queue.filter((q) => q.userId === userId)) this.dequeue(entry.id)
  }

  promptBeforeStart(id: string, prompt: Prompt): void {
    const list = this.#earlyPrompts.get(id) ?? []
    list.push(prompt)
    this.#earlyPrompts.set(id, list)
  }

  /** Starts queued jobs while the concurrency limits allow. */
  pump(): void {
    if (this.closed) return
    for (let i = 0; i < this.#queue.length && this.active.size < this.d.config.maxRunning; ) {
      const entry = this.#queue[i]!
      const mine = [...this.active.values()].filter((a) => a.userId === entry.userId).length
      if (mine >= this.d.config.maxRunningPerUser) {
        i++
        continue
      }
      this.#queue.splice(i, 1)
      void this.#begin(entry.id).catch((error: unknown) => log.error('job {id} could not start: {error}', { id: entry.id, error }))
    }
  }

  async #begin(id: string): Promise<void> {
    if (this.closed || this.active.has(id)) return
    const job = await this.d.repo.get(id)
    if (!job || job.status !== 'pending') return
    const active = this.claim(job)
    if (!active) return
    const now = isoNow(this.d.clock)
    const started = await this.d.repo.transition(id, ['pending'], 'running', { now, patch: { started_at: job.startedAt ?? now, runner_id: this.d.runnerId, heartbeat_at: now } })
    if (!started) return this.release(active)
    await this.d.events.record(started, 'status', { message: 'Job started', state: 'running' })
    this.launch(active, started, { content: started.prompt, done: false })
  }

  /**
   * Marks a job as running here before its state changes in the database, so a prompt sent in
   * between queues on it instead of getting lost. Undefined when it already runs here.
   */
  claim(job: { id: string; userId: string }): ActiveJob | undefined {
    if (this.active.has(job.id)) return undefined
    const active = new ActiveJob(job.id, job.userId)
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

  /** Aborts a job's turn and kills its process groups (SIGTERM, then SIGKILL after the grace period). */
  async stop(active: ActiveJob): Promise<void> {
    active.accepting = false
    active.abort.abort()
    await active.processes.killAll(this.d.config.killGraceMs)
  }

  /** Moves a job from `from` (default: running) to a final state and records it; false when it was not there. */
  async end(id: string, to: JobState, reason: string | null, from: readonly JobState[] = ['running']): Promise<JobRecord | undefined> {
    const now = isoNow(this.d.clock)
    const patch = { completed_at: now, runner_id: null, ...(reason !== null && to !== 'completed' ? { failure_reason: reason } : {}) }
    const ended = await this.d.repo.transition(id, from, to, { reason, now, patch })
    if (ended) await this.finished(ended, reason)
    return ended
  }

  /** Records the end of a job: a status line and the `result` event. */
  async finished(job: JobRecord, reason: string | null): Promise<void> {
    const message = job.status === 'completed' ? 'Job completed' : job.status === 'cancelled' ? 'Job cancelled' : `Job failed: ${reason ?? 'unknown error'}`
    await this.d.events.record(job, 'status', { message, state: job.status })
    await this.d.events.record(job, 'result', { status: job.status, ...(job.sessionId ? { session_id: job.sessionId } : {}) })
  }

  /** The turn loop: the first prompt, then queued follow-ups, until none is left or one fails. */
  async #run(job: JobRecord, active: ActiveJob, first: Prompt): Promise<void> {
    const dirs = await this.#prepare(job)
    let conversation = [...job.conversation]
    let sessionId = job.sessionId
    let closed = job.promptsClosed
    let result: string | null = job.result
    let prompt: Prompt | undefined = first
    while (prompt) {
      await this.d.events.record(job, 'message', { role: 'user', content: prompt.content })
      const outcome = await this.#turn(job, dirs, active, prompt.content, conversation, sessionId)
      if (active.abort.signal.aborted || outcome.status === 'cancelled') {
        // A cancelled turn's tokens were spent all the same (best effort: the gateway may be closing).
        await this.d.repo.addUsage(job.id, outcome.usage.input, outcome.usage.output).catch(() => undefined)
        return
      }
      await this.d.repo.addUsage(job.id, outcome.usage.input, outcome.usage.output)
      sessionId = outcome.sessionId ?? sessionId
      conversation = [...conversation, { role: 'user', content: prompt.content }, ...(outcome.result ? [{ role: 'assistant' as const, content: outcome.result }] : [])]
      result = outcome.result ?? result
      closed ||= prompt.done
      await this.d.repo.update(job.id, { session_id: sessionId, conversation: JSON.stringify(conversation), result, prompts_closed: closed }, isoNow(this.d.clock))
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
      userId: job.userId,
      dirs,
      prompt,
      history,
      sessionId,
      signal: active.abort.signal,
      processes: active.processes,
      config: this.d.config,
      record: (type, data) => this.d.events.record(job, type, data),
    }
    const failed = (failure: string): Promise<TurnOutcome> => Promise.resolve({ status: 'failed', result: null, failure, usage: { input: 0, output: 0 } })
    if (job.kind === 'command') {
      const command = this.d.config.commands.find((c) => c.name === job.command)
      const port = this.d.sandbox.processes
      if (!command || !port) return failed(`Command '${job.command}' is no longer configured`)
      return runCommandTurn(ctx, command, port)
    }
    const runner = this.agent
    if (!runner) return failed('The agent is not available')
    const tools = new WorkspaceTools({ dirs, sandbox: this.d.sandbox, config: this.d.config, processes: active.processes, signal: active.abort.signal }).tools()
    const system = jobSystemPrompt({ title: job.title, workspace: dirs.workspace, network: this.d.config.agentNetwork, canRunCommands: this.d.sandbox.processes !== undefined })
    return runAgentTurn(ctx, runner, tools, system)
  }

  async #prepare(job: JobRecord): Promise<JobDirs> {
    const base = `${this.d.jobsRoot}/${job.workspaceId}`
    const [workspace, tmp] = await Promise.all([this.d.sandbox.fs.ensureDir(`${base}/workspace`), this.d.sandbox.fs.ensureDir(`${base}/tmp`)])
    return { jobId: job.id, userId: job.userId, workspace, tmp }
  }
}
