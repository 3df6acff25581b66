import { getLogger } from '@logtape/logtape'
import type { EventHub } from '../../hub/event-hub'
import { type Clock, isoNow } from '../../lib/time'
import { type AppEvent, appEvent } from '../../protocol/events'
import type { JobEventType } from '../../protocol/jobs'
import type { JobRepository } from './job-repository'

const log = getLogger(['gateway', 'jobs'])

/** Caps on what one event carries (full tool output stays in the workspace, not in the log). */
const MAX_CONTENT = 16 * 1024
const MAX_OUTPUT = 8 * 1024
const MAX_INPUT_JSON = 8 * 1024

export const clip = (text: string, max: number): string =>
  text.length <= max ? text : `${text.slice(0, max)}\n[... ${text.length - max} characters omitted]`

/** The `job_*` AppEvent for a persisted job event (the SSE stream and the chat stream show the same). */
export function toAppEvent(jobId: string, type: JobEventType, data: Record<string, unknown>): AppEvent {
  const text = (key: string): string => (typeof data[key] === 'string' ? (data[key] as string) : '')
  switch (type) {
    case 'status':
      return appEvent('job_status', { job_id: jobId, message: text('message'), ...(data.state ? { state: text('state') } : {}) })
    case 'message':
      return appEvent('job_message', { job_id: jobId, role: text('role') || 'assistant', content: text('content') })
    case 'tool_use':
      return appEvent('job_tool_use', { job_id: jobId, tool_name: text('tool_name'), input: data.input ?? {} })
    case 'tool_result':
      return appEvent('job_tool_result', { job_id: jobId, tool_name: text('tool_name'), output: text('output') })
    case 'result':
      return appEvent('job_result', { job_id: jobId, status: text('status'), ...(data.session_id ? { session_id: text('session_id') } : {}) })
  }
}

/** Keeps events small enough for the log and the streams. */
function bounded(type: JobEventType, data: Record<string, unknown>): Record<string, unknown> {
  if (type === 'message' && typeof data.content === 'string') return { ...data, content: clip(data.content, MAX_CONTENT) }
  if (type === 'tool_result' && typeof data.output === 'string') return { ...data, output: clip(data.output, MAX_OUTPUT) }
  if (type === 'tool_use') {
    const json = JSON.stringify(data.input ?? {})
    if (json.length > MAX_INPUT_JSON) return { ...data, input: { truncated: true, preview: json.slice(0, MAX_INPUT_JSON) } }
  }
  return data
}

/**
 * A job's event log: each event is persisted with the job's next sequence number, then published
 * to the owner's chat stream as a `job_*` event (which also wakes the job's own SSE streams, on
 * every instance). Writes for one job are serialised, so sequence order is emission order.
 */
export class JobEventLog {
  readonly #chains = new Map<string, Promise<unknown>>()

  constructor(
    private readonly repo: JobRepository,
    private readonly hub: EventHub,
    private readonly clock: Clock,
  ) {}

  record(job: { id: string; user_id: string }, type: JobEventType, data: Record<string, unknown>): Promise<number> {
    const payload = bounded(type, data)
    const previous = this.#chains.get(job.id) ?? Promise.resolve()
    const next = previous.then(async () => {
      const seq = await this.repo.appendEvent(job.id, job.user_id, type, payload, isoNow(this.clock))
      await this.publish(job.user_id, toAppEvent(job.id, type, payload))
      return seq
    })
    const settled = next.catch(() => undefined)
    this.#chains.set(job.id, settled)
    void settled.then(() => {
      if (this.#chains.get(job.id) === settled) this.#chains.delete(job.id)
    })
    return next
  }

  /** Publishes to the owner's streams only; a failed publish is logged, never fails the job. */
  async publish(userId: string, event: AppEvent): Promise<void> {
    try {
      await this.hub.publish(userId, event)
    } catch (error) {
      log.warn('could not publish {type}: {error}', { type: event.type, error })
    }
  }

  /** Waits for the pending writes of a job (or all jobs). */
  async flush(jobId?: string): Promise<void> {
    if (jobId !== undefined) await this.#chains.get(jobId)
    else await Promise.all(this.#chains.values())
  }
}
