import { useEffect, useState } from 'preact/hooks'
import { EventStream } from '../../api/event-stream'
import { api } from '../../api/index'
import type { JobDetail, JobEventRecord } from '../../api/types'
import { Markdown } from '../../components/Markdown'
import { StatusBadge } from '../../components/ui'
import { preview, timeAgo } from '../../lib/format'
import { onAppEvent } from '../../state/chat'
import { errorMessage } from '../../state/toasts'

/** Job states in which more events may come. */
export const ACTIVE = /pending|in_progress|running|creating|submitted/i

export interface TimelineItem {
  key: string
  type: string
  at: string | undefined
  data: Record<string, unknown>
}

/** Stored events (`GET /api/jobs/{id}/events`) and live ones (`job_*` on the chat stream), one list. */
function fromStored(e: JobEventRecord): TimelineItem {
  const data = (e.data && typeof e.data === 'object' ? e.data : { value: e.data }) as Record<string, unknown>
  return { key: `s-${e.id}`, type: e.event_type.replace(/^job_/, ''), at: e.created_at, data }
}

const JOB_EVENTS = ['job_message', 'job_tool_use', 'job_tool_result', 'job_status', 'job_result']

/**
 * A job's events, stored and live. With a signed `events_url` (SSE: replay, then live, resumable
 * by id) that is one stream; otherwise the stored list plus the `job_*` events of the chat stream.
 */
export function useJobEvents(id: string, detail: JobDetail | undefined, reload: () => Promise<void>): { items: TimelineItem[]; error: string | null } {
  const [items, setItems] = useState<TimelineItem[]>([])
  const [error, setError] = useState<string | null>(null)
  const streamed = !!detail?.events_url
  const known = detail !== undefined
  useEffect(() => {
    if (!known) return
    setItems([])
    setError(null)
    const add = (item: TimelineItem) => setItems((current) => (current.some((i) => i.key === item.key) ? current : [...current, item]))
    const onJobEvent = (type: string, data: Record<string, unknown>, key: string) => {
      add({ key, type: type.replace(/^job_/, ''), at: new Date().toISOString(), data })
      if (type === 'job_result' || type === 'job_status') void reload()
    }
    if (streamed) {
      const stream = new EventStream({
        path: `/api/jobs/${id}/events`,
        eventTypes: JOB_EVENTS,
        // The signed link expires: each (re)connection asks for the current one.
        url: async () => (await api.jobs.detail(id)).events_url ?? '',
        onEvent: (type, data, eventId) => onJobEvent(type, data as Record<string, unknown>, `s-${eventId ?? Math.random()}`),
      })
      stream.start()
      return () => stream.stop()
    }
    let n = 0
    api.jobs.events(id).then(
      (list) => setItems((current) => [...list.events.map(fromStored), ...current]),
      (e: unknown) => setError(errorMessage(e)),
    )
    return onAppEvent((type, data) => {
      if (type.startsWith('job_') && data.job_id === id) onJobEvent(type, data, `l-${n++}`)
    })
  }, [id, known, streamed])
  return { items, error }
}

export function TimelineRow({ item }: { item: TimelineItem }) {
  const d = item.data
  const text = (v: unknown) => (typeof v === 'string' ? v : preview(v))
  let body
  switch (item.type) {
    case 'message':
      body = (
        <>
          <span class="tag">{text(d.role ?? 'message')}</span>
          {d.role === 'assistant' ? <Markdown text={text(d.content ?? '')} /> : <p class="prewrap">{text(d.content ?? '')}</p>}
        </>
      )
      break
    case 'tool_use':
      body = (
        <>
          <strong class="tool-name">{text(d.tool_name ?? d.name ?? 'tool')}</strong>
          <pre class="tool-pre">{preview(d.input ?? d.parameters ?? {})}</pre>
        </>
      )
      break
    case 'tool_result':
      body = (
        <>
          <strong class="tool-name">{text(d.tool_name ?? d.name ?? 'tool')}</strong>
          <pre class="tool-pre">{text(d.output ?? d.preview ?? '')}</pre>
        </>
      )
      break
    case 'result':
      body = (
        <>
          <StatusBadge status={text(d.status ?? 'done')} />
          {d.fallback_deliverable ? <pre class="tool-pre">{preview(d.fallback_deliverable)}</pre> : null}
        </>
      )
      break
    default:
      body = <p class="prewrap">{text(d.message ?? d.content ?? d)}</p>
  }
  return (
    <li>
      <div>
        <div class="timeline-type">{item.type.replace(/_/g, ' ')}</div>
        <time class="muted small" dateTime={item.at}>
          {item.at ? timeAgo(item.at) : ''}
        </time>
      </div>
      <div class="timeline-body">{body}</div>
    </li>
  )
}
