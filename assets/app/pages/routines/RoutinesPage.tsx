import { useEffect } from 'preact/hooks'
import { api } from '../../api/index'
import type { RoutineInfo } from '../../api/types'
import { Icon } from '../../components/Icon'
import { ErrorNotice, Loadable, useResource } from '../../components/Resource'
import { EmptyState, PageHeader, Stat, StatusBadge } from '../../components/ui'
import { timeAgo } from '../../lib/format'
import { onAppEvent } from '../../state/chat'
import { link } from '../../state/router'
import { attempt } from '../../state/toasts'
import { RoutineDetailPage } from './RoutineDetail'
import { RoutineForm } from './RoutineForm'

export function RoutinesPage({ parts }: { parts: string[] }) {
  const [first, second] = parts
  if (first === 'new') return <RoutineForm />
  if (first && second === 'edit') return <RoutineForm id={first} />
  if (first) return <RoutineDetailPage id={first} />
  return <RoutineList />
}

function RoutineList() {
  const routines = useResource(() => api.routines.list(), [])
  const summary = useResource(() => api.routines.summary(), [])
  const reload = () => Promise.all([routines.reload(), summary.reload()])
  useEffect(() => onAppEvent((type) => void (type === 'routine_run' && reload())), [])
  if (routines.error?.unavailable) {
    return (
      <div class="page">
        <PageHeader title="Routines" />
        <ErrorNotice error={routines.error} />
      </div>
    )
  }
  const s = summary.data
  return (
    <div class="page">
      <PageHeader
        title="Routines"
        subtitle="Things the agent does on a schedule, on an event or a webhook."
        actions={
          <a class="btn btn-primary" href={link('/routines/new')}>
            <Icon name="plus" size={16} /> New routine
          </a>
        }
      />
      {s ? (
        <div class="stats">
          <Stat label="Total" value={s.total} />
          <Stat label="Enabled" value={s.enabled} tone="good" />
          <Stat label="Disabled" value={s.disabled} />
          <Stat label="Not yet verified" value={s.unverified} tone={s.unverified ? 'warn' : undefined} />
          <Stat label="Failing" value={s.failing} tone={s.failing ? 'bad' : undefined} />
          <Stat label="Ran today" value={s.runs_today} tone="info" />
        </div>
      ) : null}
      <div class="card">
        <Loadable resource={routines}>
          {(data) =>
            data.routines.length ? (
              <div class="table-wrap">
                <table class="table">
                  <thead>
                    <tr>
                      <th>Routine</th>
                      <th>Trigger</th>
                      <th>Status</th>
                      <th>Last run</th>
                      <th>Next</th>
                      <th class="num">Runs</th>
                      <th>
                        <span class="visually-hidden">Actions</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.routines.map((r) => (
                      <RoutineRow key={r.id} routine={r} reload={reload} />
                    ))}
                  </tbody>
                </table>
              </div>
            ) : (
              <EmptyState icon="routines" title="No routines yet">
                <a href={link('/routines/new')}>Create one</a>, or ask the agent to set one up.
              </EmptyState>
            )
          }
        </Loadable>
      </div>
    </div>
  )
}

function RoutineRow({ routine: r, reload }: { routine: RoutineInfo; reload: () => Promise<unknown> }) {
  return (
    <tr>
      <td>
        <a href={link(`/routines/${encodeURIComponent(r.id)}`)}>{r.name}</a>
        {r.description ? <div class="muted small">{r.description}</div> : null}
      </td>
      <td class="muted">{r.trigger_summary}</td>
      <td>
        <StatusBadge status={r.status} />
      </td>
      <td class="muted nowrap">{timeAgo(r.last_run_at)}</td>
      <td class="muted" title={r.next_fire_at ?? undefined}>{r.enabled && r.next_fire_at ? timeAgo(r.next_fire_at) : '—'}</td>
      <td class="num">{r.run_count}</td>
      <td>
        <div class="cell-actions">
          <button type="button" class="btn btn-small" aria-label={`Run ${r.name} now`} title="Run now" onClick={async () => void ((await attempt(() => api.routines.trigger(r.id), `${r.name} triggered`)) && reload())}>
            <Icon name="play" size={14} />
          </button>
          <button
            type="button"
            class="btn btn-small"
            aria-pressed={r.enabled}
            onClick={async () => void ((await attempt(() => api.routines.toggle(r.id, !r.enabled))) && reload())}
          >
            {r.enabled ? 'Disable' : 'Enable'}
          </button>
        </div>
      </td>
    </tr>
  )
}
