import { useEffect, useState } from 'preact/hooks'
import { api } from '../../api/index'
import { Icon } from '../../components/Icon'
import { ErrorNotice, Loadable, useResource } from '../../components/Resource'
import { EmptyState, PageHeader, Stat, StatusBadge } from '../../components/ui'
import { timeAgo } from '../../lib/format'
import { onAppEvent } from '../../state/chat'
import { link, navigate } from '../../state/router'
import { errorMessage } from '../../state/toasts'
import { Dialog, DialogFooter } from '../../components/Dialog'
import { JobDetailPage } from './JobDetail'

export function JobsPage({ parts }: { parts: string[] }) {
  if (parts[0]) return <JobDetailPage id={parts[0]} />
  return <JobList />
}

function JobList() {
  const jobs = useResource(() => api.jobs.list(), [])
  const summary = useResource(() => api.jobs.summary(), [])
  // New and finished jobs show up without a reload.
  useEffect(
    () =>
      onAppEvent((type) => {
        if (type === 'job_started' || type === 'job_result') {
          void jobs.reload()
          void summary.reload()
        }
      }),
    [],
  )
  if (jobs.error?.unavailable) {
    return (
      <div class="page">
        <PageHeader title="Jobs" />
        <ErrorNotice error={jobs.error} />
      </div>
    )
  }
  const s = summary.data
  const [creating, setCreating] = useState(false)
  return (
    <div class="page">
      <PageHeader
        title="Jobs"
        subtitle="Longer tasks the agent works on in the background, each in its own workspace."
        actions={
          <>
            <button type="button" class="btn" onClick={() => void Promise.all([jobs.reload(), summary.reload()])}>
              <Icon name="refresh" size={16} /> Refresh
            </button>
            <button type="button" class="btn btn-primary" onClick={() => setCreating(true)}>
              <Icon name="plus" size={16} /> New job
            </button>
          </>
        }
      />
      <NewJob open={creating} onClose={() => setCreating(false)} />
      {s ? (
        <div class="stats">
          <Stat label="Total" value={s.total} />
          <Stat label="Running" value={s.running ?? s.in_progress} tone="info" />
          <Stat label="Pending" value={s.pending} />
          <Stat label="Completed" value={s.completed} tone="good" />
          <Stat label="Failed" value={s.failed} tone={s.failed ? 'bad' : undefined} />
          {s.cancelled !== undefined ? <Stat label="Cancelled" value={s.cancelled} /> : <Stat label="Stuck" value={s.stuck} tone={s.stuck ? 'warn' : undefined} />}
        </div>
      ) : null}
      <div class="card">
        <Loadable resource={jobs}>
          {(data) =>
            data.jobs.length ? (
              <div class="table-wrap">
                <table class="table">
                  <thead>
                    <tr>
                      <th>Job</th>
                      <th>State</th>
                      <th>Created</th>
                      <th>Started</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.jobs.map((job) => (
                      <tr key={job.id}>
                        <td>
                          <a href={link(`/jobs/${encodeURIComponent(job.id)}`)}>{job.title || job.id}</a>
                        </td>
                        <td>
                          <StatusBadge status={job.state} />
                        </td>
                        <td class="muted nowrap">{timeAgo(job.created_at)}</td>
                        <td class="muted nowrap">{timeAgo(job.started_at)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ) : (
              <EmptyState icon="jobs" title="No jobs yet">
                Ask the agent to do something that takes a while, and it will show up here.
              </EmptyState>
            )
          }
        </Loadable>
      </div>
    </div>
  )
}

function NewJob({ open, onClose }: { open: boolean; onClose: () => void }) {
  const [prompt, setPrompt] = useState('')
  const [title, setTitle] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const submit = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      const job = await api.jobs.create({ prompt: prompt.trim(), ...(title.trim() ? { title: title.trim() } : {}) })
      setPrompt('')
      setTitle('')
      onClose()
      navigate(`/jobs/${encodeURIComponent(job.id)}`)
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setBusy(false)
    }
  }
  return (
    <Dialog title="Start a job" open={open} onClose={onClose} wide>
      <form class="form-grid" onSubmit={submit}>
        <div class="field">
          <label class="label" for="job-title">Title (optional)</label>
          <input id="job-title" value={title} onInput={(e) => setTitle((e.target as HTMLInputElement).value)} />
        </div>
        <div class="field">
          <label class="label" for="job-prompt">Task</label>
          <textarea id="job-prompt" rows={6} required value={prompt} placeholder="Write a script that…" onInput={(e) => setPrompt((e.target as HTMLTextAreaElement).value)} />
        </div>
        <DialogFooter error={error} onCancel={onClose} disabled={busy || !prompt.trim()} submit={busy ? 'Starting…' : 'Start'} />
      </form>
    </Dialog>
  )
}
