import { useEffect } from 'preact/hooks'
import { api } from '../../api/index'
import { Icon } from '../../components/Icon'
import { ErrorNotice, Loadable, useResource } from '../../components/Resource'
import { EmptyState, PageHeader, Stat, StatusBadge } from '../../components/ui'
import { timeAgo } from '../../lib/format'
import { onAppEvent } from '../../state/chat'
import { link } from '../../state/router'
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
  return (
    <div class="page">
      <PageHeader
        title="Jobs"
        subtitle="Longer tasks the agent runs in the background, in a sandbox or as agent jobs."
        actions={
          <button type="button" class="btn" onClick={() => void Promise.all([jobs.reload(), summary.reload()])}>
            <Icon name="refresh" size={16} /> Refresh
          </button>
        }
      />
      {s ? (
        <div class="stats">
          <Stat label="Total" value={s.total} />
          <Stat label="Running" value={s.in_progress} tone="info" />
          <Stat label="Pending" value={s.pending} />
          <Stat label="Completed" value={s.completed} tone="good" />
          <Stat label="Failed" value={s.failed} tone={s.failed ? 'bad' : undefined} />
          <Stat label="Stuck" value={s.stuck} tone={s.stuck ? 'warn' : undefined} />
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
                        <td class="muted">{timeAgo(job.created_at)}</td>
                        <td class="muted">{timeAgo(job.started_at)}</td>
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
