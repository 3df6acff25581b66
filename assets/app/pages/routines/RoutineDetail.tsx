import { useEffect } from 'preact/hooks'
import { api } from '../../api/index'
import type { RoutineDetail } from '../../api/types'
import { confirmAction } from '../../components/Dialog'
import { Icon } from '../../components/Icon'
import { Loadable, useResource } from '../../components/Resource'
import { EmptyState, PageHeader, StatusBadge } from '../../components/ui'
import { count, dateTime, preview, timeAgo } from '../../lib/format'
import { onAppEvent } from '../../state/chat'
import { link, navigate } from '../../state/router'
import { attempt } from '../../state/toasts'
import { freshSecret, showSecretOnce } from './webhook-secret'

export function RoutineDetailPage({ id }: { id: string }) {
  const routine = useResource(() => api.routines.detail(id), [id])
  const runs = useResource(() => api.routines.runs(id), [id])
  const reload = () => Promise.all([routine.reload(), runs.reload()])
  // Runs start and end while the page is open (schedule, events, webhooks, another tab).
  useEffect(() => onAppEvent((type, data) => void (type === 'routine_run' && data.routine_id === id && reload())), [id])
  useEffect(() => () => void (freshSecret.value?.routineId === id && (freshSecret.value = null)), [id])
  return (
    <div class="page">
      <a class="back" href={link('/routines')}>
        <Icon name="chevron" size={14} /> Routines
      </a>
      <Loadable resource={routine}>
        {(r) => (
          <>
            <PageHeader
              title={r.name}
              subtitle={
                <span class="row">
                  <StatusBadge status={r.enabled ? (r.consecutive_failures ? 'failing' : 'active') : 'disabled'} /> {r.trigger_summary}
                </span>
              }
              actions={<Actions routine={r} reload={reload} />}
            />
            <WebhookSecret routine={r} />
            <section class="card card-pad section">
              {r.description ? <p>{r.description}</p> : null}
              <dl class="kv">
                <dt>Trigger</dt>
                <dd>{r.trigger_summary}</dd>
                {r.trigger.type === 'webhook' ? (
                  <>
                    <dt>Webhook</dt>
                    <dd>
                      <code>POST {r.webhook_url}</code>
                      <div class="muted small">
                        Sign each delivery: <code>X-Webhook-Timestamp</code> (unix seconds) and <code>X-Webhook-Signature: sha256=</code>HMAC-SHA256 of
                        “timestamp.body” with the secret.
                      </div>
                    </dd>
                  </>
                ) : null}
                <dt>Action</dt>
                <dd>{r.action.type === 'full_job' ? `Full job: ${r.action.title}` : 'Lightweight prompt'}</dd>
                {r.action.type === 'lightweight' ? (
                  <>
                    <dt>Prompt</dt>
                    <dd class="prewrap">{r.action.prompt}</dd>
                  </>
                ) : (
                  <>
                    <dt>Task</dt>
                    <dd class="prewrap">{r.action.description}</dd>
                  </>
                )}
                <dt>Last run</dt>
                <dd>{dateTime(r.last_run_at)}</dd>
                <dt>Next run</dt>
                <dd data-testid="next-run">{r.enabled ? (r.next_fire_at ? dateTime(r.next_fire_at) : r.trigger_type === 'cron' ? 'Never' : 'When triggered') : 'Disabled'}</dd>
                <dt>Results</dt>
                <dd>
                  <a href={link(`/chat/${encodeURIComponent(r.thread_id)}`)}>Open the routine’s thread</a>
                </dd>
                <dt>Runs</dt>
                <dd>
                  {r.run_count}
                  {r.consecutive_failures ? ` (${r.consecutive_failures} failing in a row)` : ''}
                </dd>
                <dt>Created</dt>
                <dd>{dateTime(r.created_at)}</dd>
              </dl>
            </section>
          </>
        )}
      </Loadable>
      <section class="card section" aria-label="Runs">
        <div class="card-head">
          <h2>Runs</h2>
        </div>
        <Loadable resource={runs}>
          {(data) =>
            data.runs.length ? (
              <div class="table-wrap">
                <table class="table">
                  <thead>
                    <tr>
                      <th>Started</th>
                      <th>Status</th>
                      <th>Trigger</th>
                      <th>Result</th>
                      <th class="num">Tokens</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.runs.map((run) => (
                      <tr key={run.id}>
                        <td title={dateTime(run.started_at)}>{timeAgo(run.started_at)}</td>
                        <td>
                          <StatusBadge status={run.status} />
                        </td>
                        <td class="muted">{run.trigger_type}</td>
                        <td>
                          {run.job_id ? <a href={link(`/jobs/${encodeURIComponent(run.job_id)}`)}>job</a> : null} {run.result_summary ? preview(run.result_summary, 300) : ''}
                        </td>
                        <td class="num">{count(run.tokens_used)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ) : (
              <EmptyState icon="routines" title="No runs yet" />
            )
          }
        </Loadable>
      </section>
    </div>
  )
}

/** The webhook secret, right after it was made: shown once, copyable, never fetched again. */
function WebhookSecret({ routine: r }: { routine: RoutineDetail }) {
  const fresh = freshSecret.value
  if (r.trigger.type !== 'webhook') return null
  if (!fresh || fresh.routineId !== r.id) {
    return (
      <p class="muted small">
        Lost the signing secret?{' '}
        <button
          type="button"
          class="btn btn-small btn-ghost"
          onClick={async () => {
            if (!(await confirmAction('Make a new signing secret? Senders using the old one will be refused.', { confirm: 'Rotate' }))) return
            await attempt(async () => {
              const rotated = await api.routines.update(r.id, { rotate_secret: true })
              if (rotated.webhook_secret) showSecretOnce(r.id, rotated.webhook_secret)
            }, 'New secret made')
          }}
        >
          Rotate secret
        </button>
      </p>
    )
  }
  return (
    <section class="card card-pad section notice" role="status" aria-label="Webhook secret">
      <p>
        <strong>Signing secret</strong> (shown only now: copy it into the sender):
      </p>
      <p class="row">
        <code data-testid="webhook-secret">{fresh.secret}</code>
        <button type="button" class="btn btn-small" onClick={() => void navigator.clipboard?.writeText(fresh.secret)}>
          <Icon name="copy" size={14} /> Copy
        </button>
        <button type="button" class="btn btn-small btn-ghost" onClick={() => (freshSecret.value = null)}>
          Done
        </button>
      </p>
    </section>
  )
}

function Actions({ routine: r, reload }: { routine: RoutineDetail; reload: () => Promise<unknown> }) {
  return (
    <>
      <button type="button" class="btn btn-primary" onClick={async () => void ((await attempt(() => api.routines.trigger(r.id), 'Triggered')) && reload())}>
        <Icon name="play" size={16} /> Run now
      </button>
      <button type="button" class="btn" onClick={async () => void ((await attempt(() => api.routines.toggle(r.id, !r.enabled), r.enabled ? 'Disabled' : 'Enabled')) && reload())}>
        {r.enabled ? 'Disable' : 'Enable'}
      </button>
      <a class="btn" href={link(`/routines/${encodeURIComponent(r.id)}/edit`)}>
        <Icon name="edit" size={16} /> Edit
      </a>
      <button
        type="button"
        class="btn btn-danger-ghost"
        onClick={async () => {
          if (!(await confirmAction(`Delete the routine “${r.name}” and its run history?`, { confirm: 'Delete' }))) return
          if (await attempt(() => api.routines.remove(r.id), 'Routine deleted')) navigate('/routines')
        }}
      >
        <Icon name="trash" size={16} /> Delete
      </button>
    </>
  )
}
