import { useEffect, useState } from 'preact/hooks'
import { api } from '../../api/index'
import type { JobDetail } from '../../api/types'
import { confirmAction } from '../../components/Dialog'
import { Icon } from '../../components/Icon'
import { Markdown } from '../../components/Markdown'
import { Loadable, useResource } from '../../components/Resource'
import { EmptyState, PageHeader, StatusBadge } from '../../components/ui'
import { count, dateTime, duration, timeAgo } from '../../lib/format'
import { link, navigate } from '../../state/router'
import { attempt } from '../../state/toasts'
import { JobFiles } from './JobFiles'
import { ACTIVE, TimelineRow, useJobEvents } from './JobTimeline'


export function JobDetailPage({ id }: { id: string }) {
  const job = useResource(() => api.jobs.detail(id), [id])
  const [tab, setTab] = useState<'events' | 'files'>('events')
  const events = useJobEvents(id, job.data, job.reload)
  // Events say when something happened; the state itself may settle a moment later.
  const active = job.data ? ACTIVE.test(job.data.state) : false
  useEffect(() => {
    if (!active) return
    const timer = setInterval(() => document.visibilityState === 'visible' && void job.reload(), 3000)
    return () => clearInterval(timer)
  }, [active, id])
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
                {events.error ? <p class="muted pad">Stored events unavailable: {events.error}</p> : null}
                {events.items.length ? (
                  <ol class="timeline">
                    {events.items.map((item) => (
                      <TimelineRow key={item.key} item={item} />
                    ))}
                  </ol>
                ) : (
                  <EmptyState icon="logs" title={ACTIVE.test(detail.state) ? 'Waiting for events…' : 'No events recorded'} />
                )}
              </section>
            ) : (
              <JobFiles id={id} browseUrl={detail.browse_url} />
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
      {job.description ? <p class="prewrap">{job.description}</p> : null}
      {job.failure_reason ? (
        <p class="turn-error" role="alert">
          <Icon name="alert" size={16} /> {job.failure_reason}
        </p>
      ) : null}
      {job.result ? (
        <div class="job-result">
          <p class="tool-label">Result</p>
          <Markdown text={job.result} />
        </div>
      ) : null}
      <dl class="kv">
        <dt>Created</dt>
        <dd>{dateTime(job.created_at)}</dd>
        <dt>Started</dt>
        <dd>{dateTime(job.started_at)}</dd>
        <dt>Finished</dt>
        <dd>{dateTime(job.completed_at)}</dd>
        <dt>Elapsed</dt>
        <dd>{duration(job.elapsed_secs)}</dd>
        {job.usage ? (
          <>
            <dt>Tokens</dt>
            <dd>
              {count(job.usage.input_tokens)} in · {count(job.usage.output_tokens)} out
            </dd>
          </>
        ) : null}
        {job.restarted_from ? (
          <>
            <dt>Restarted from</dt>
            <dd>
              <a href={link(`/jobs/${encodeURIComponent(job.restarted_from)}`)}>previous attempt</a>
            </dd>
          </>
        ) : null}
        {job.kind || job.job_kind ? (
          <>
            <dt>Kind</dt>
            <dd>
              {job.kind ?? job.job_kind}
              {job.job_mode ? ` (${job.job_mode})` : ''}
            </dd>
          </>
        ) : null}
        {job.transitions.length ? (
          <>
            <dt>History</dt>
            <dd>
              {job.transitions.map((t) => (
                <div key={t.timestamp + t.to}>
                  {t.from ?? 'new'} → <strong>{t.to}</strong> <span class="muted small">{timeAgo(t.timestamp)}{t.reason ? ` · ${t.reason}` : ''}</span>
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
      {job.can_cancel ?? active ? (
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
