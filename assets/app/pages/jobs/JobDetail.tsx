import { useEffect, useState } from 'preact/hooks'
import { api } from '../../api/index'
import type { JobDetail, JobEvent } from '../../api/types'
import { confirmAction } from '../../components/Dialog'
import { Icon } from '../../components/Icon'
import { Markdown } from '../../components/Markdown'
import { Loadable, useResource } from '../../components/Resource'
import { EmptyState, PageHeader, StatusBadge } from '../../components/ui'
import { dateTime, duration, preview, timeAgo } from '../../lib/format'
import { onAppEvent } from '../../state/chat'
import { link, navigate } from '../../state/router'
import { attempt } from '../../state/toasts'
import { JobFiles } from './JobFiles'

interface TimelineItem {
  key: string
  type: string
  at: string | undefined
  data: Record<string, unknown>
}

const ACTIVE = /pending|in_progress|running|creating|submitted/i

/** Stored events (`GET /api/jobs/{id}/events`) and live ones (`job_*` on the chat stream), one list. */
function fromStored(e: JobEvent): TimelineItem {
  const data = (e.data && typeof e.data === 'object' ? e.data : { value: e.data }) as Record<string, unknown>
  return { key: `s-${e.id}`, type: e.event_type.replace(/^job_/, ''), at: e.created_at, data }
}

export function JobDetailPage({ id }: { id: string }) {
  const job = useResource(() => api.jobs.detail(id), [id])
  const stored = useResource(() => api.jobs.events(id), [id])
  const [live, setLive] = useState<TimelineItem[]>([])
  const [tab, setTab] = useState<'events' | 'files'>('events')

  useEffect(() => {
    setLive([])
    let n = 0
    return onAppEvent((type, data) => {
      if (!type.startsWith('job_') || data.job_id !== id) return
      setLive((items) => [...items, { key: `l-${n++}`, type: type.replace(/^job_/, ''), at: new Date().toISOString(), data }])
      if (type === 'job_result' || type === 'job_status') void job.reload()
    })
  }, [id])

  const items = [...(stored.data?.events.map(fromStored) ?? []), ...live]
  return (
    <div class="page">
      <a class="back" href={link('/jobs')}>
        <Icon name="chevron" size={14} /> Jobs
      </a>
      <Loadable resource={job}>
        {(detail) => (
          <>
            <PageHeader title={detail.title || 'Job'} subtitle={<StatusBadge status={detail.state} />} actions={<JobActions job={detail} reload={job.reload} />} />
            <JobFacts job={detail} />
            {detail.can_prompt ? <FollowUp id={id} /> : null}
            <div class="tabs" role="tablist">
              <button type="button" role="tab" aria-selected={tab === 'events'} class={tab === 'events' ? 'active' : ''} onClick={() => setTab('events')}>
                Events
              </button>
              <button type="button" role="tab" aria-selected={tab === 'files'} class={tab === 'files' ? 'active' : ''} onClick={() => setTab('files')}>
                Files
              </button>
            </div>
            {tab === 'events' ? (
              <section class="card" aria-label="Job events">
                {stored.error && !stored.error.unavailable ? <p class="muted pad">Stored events unavailable: {stored.error.message}</p> : null}
                {items.length ? (
                  <ol class="timeline">
                    {items.map((item) => (
                      <TimelineRow key={item.key} item={item} />
                    ))}
                  </ol>
                ) : (
                  <EmptyState icon="logs" title={ACTIVE.test(detail.state) ? 'Waiting for events…' : 'No events recorded'} />
                )}
              </section>
            ) : (
              <JobFiles id={id} />
            )}
          </>
        )}
      </Loadable>
    </div>
  )
}

function JobFacts({ job }: { job: JobDetail }) {
  return (
    <section class="card card-pad section">
      {job.description ? <p>{job.description}</p> : null}
      <dl class="kv">
        <dt>Created</dt>
        <dd>{dateTime(job.created_at)}</dd>
        <dt>Started</dt>
        <dd>{dateTime(job.started_at)}</dd>
        <dt>Finished</dt>
        <dd>{dateTime(job.completed_at)}</dd>
        <dt>Elapsed</dt>
        <dd>{duration(job.elapsed_secs)}</dd>
        {job.job_kind ? (
          <>
            <dt>Kind</dt>
            <dd>{job.job_kind}{job.job_mode ? ` (${job.job_mode})` : ''}</dd>
          </>
        ) : null}
        {job.transitions.length ? (
          <>
            <dt>History</dt>
            <dd>
              {job.transitions.map((t) => (
                <div key={t.timestamp + t.to}>
                  {t.from} → <strong>{t.to}</strong> <span class="muted small">{timeAgo(t.timestamp)}{t.reason ? ` · ${t.reason}` : ''}</span>
                </div>
              ))}
            </dd>
          </>
        ) : null}
      </dl>
    </section>
  )
}

function JobActions({ job, reload }: { job: JobDetail; reload: () => Promise<void> }) {
  const active = ACTIVE.test(job.state)
  return (
    <>
      {active ? (
        <button
          type="button"
          class="btn btn-danger-ghost"
          onClick={async () => {
            if (!(await confirmAction(`Stop “${job.title}”?`, { confirm: 'Cancel job' }))) return
            if (await attempt(() => api.jobs.cancel(job.id), 'Job cancelled')) await reload()
          }}
        >
          <Icon name="stop" size={16} /> Cancel
        </button>
      ) : null}
      {job.can_restart && !active ? (
        <button
          type="button"
          class="btn"
          onClick={async () => {
            try {
              const result = await api.jobs.restart(job.id)
              navigate(`/jobs/${encodeURIComponent(result.new_job_id)}`)
            } catch (error) {
              await attempt(() => Promise.reject(error))
            }
          }}
        >
          <Icon name="refresh" size={16} /> Restart
        </button>
      ) : null}
    </>
  )
}

function FollowUp({ id }: { id: string }) {
  const [text, setText] = useState('')
  const [busy, setBusy] = useState(false)
  const send = async (done: boolean) => {
    setBusy(true)
    if (await attempt(() => api.jobs.prompt(id, text, done), done ? 'Sent; the job will finish' : 'Sent to the job')) setText('')
    setBusy(false)
  }
  return (
    <form
      class="card card-pad section form-grid"
      onSubmit={(e) => {
        e.preventDefault()
        void send(false)
      }}
    >
      <label for="follow-up" class="label">
        Follow-up instructions
      </label>
      <textarea id="follow-up" rows={3} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} placeholder="Tell the running job what to do next…" />
      <div class="row">
        <button type="submit" class="btn btn-primary" disabled={busy || !text.trim()}>
          Send
        </button>
        <button type="button" class="btn btn-ghost" disabled={busy || !text.trim()} onClick={() => void send(true)}>
          Send and finish
        </button>
      </div>
    </form>
  )
}

function TimelineRow({ item }: { item: TimelineItem }) {
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
