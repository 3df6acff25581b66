import { useEffect, useState } from 'preact/hooks'
import { api } from '../../api/index'
import type { RoutineAction, RoutineInput, RoutineTrigger, RoutineTriggerInput } from '../../api/types'
import { Icon } from '../../components/Icon'
import { ErrorNotice, useResource } from '../../components/Resource'
import { PageHeader, Spinner } from '../../components/ui'
import { link, navigate } from '../../state/router'
import { errorMessage, toast } from '../../state/toasts'
import { showSecretOnce } from './webhook-secret'

type TriggerType = RoutineTrigger['type']
type ActionType = RoutineAction['type']

interface FormState {
  name: string
  description: string
  enabled: boolean
  trigger: TriggerType
  schedule: string
  timezone: string
  channel: string
  pattern: string
  source: string
  eventType: string
  /** `key=value` pairs, comma-separated: the event's fields must equal them. */
  filters: string
  webhookPath: string
  action: ActionType
  prompt: string
  title: string
  task: string
}

const EMPTY: FormState = {
  name: '',
  description: '',
  enabled: true,
  trigger: 'cron',
  schedule: '0 9 * * *',
  timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
  channel: '',
  pattern: '',
  source: '',
  eventType: '',
  filters: '',
  webhookPath: '',
  action: 'lightweight',
  prompt: '',
  title: '',
  task: '',
}

function parseFilters(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const pair of text.split(',')) {
    const at = pair.indexOf('=')
    if (at > 0) out[pair.slice(0, at).trim()] = pair.slice(at + 1).trim()
  }
  return out
}

function toInput(f: FormState): RoutineInput {
  const trigger: RoutineTriggerInput =
    f.trigger === 'cron'
      ? { type: 'cron', schedule: f.schedule.trim(), timezone: f.timezone.trim() || null }
      : f.trigger === 'event'
        ? { type: 'event', channel: f.channel.trim() || null, pattern: f.pattern }
        : f.trigger === 'system_event'
          ? { type: 'system_event', source: f.source.trim() || 'gateway', event_type: f.eventType.trim(), filters: parseFilters(f.filters) }
          : f.trigger === 'webhook'
            ? { type: 'webhook', path: f.webhookPath.trim() || null }
            : { type: 'manual' }
  const action: RoutineAction =
    f.action === 'lightweight' ? { type: 'lightweight', prompt: f.prompt } : { type: 'full_job', title: f.title.trim() || f.name.trim(), description: f.task }
  return { name: f.name.trim(), description: f.description.trim(), enabled: f.enabled, trigger, action }
}

function fromDetail(d: Awaited<ReturnType<typeof api.routines.detail>>): FormState {
  const t = d.trigger
  const a = d.action
  return {
    ...EMPTY,
    name: d.name,
    description: d.description,
    enabled: d.enabled,
    trigger: t.type,
    ...(t.type === 'cron' ? { schedule: t.schedule, timezone: t.timezone ?? '' } : {}),
    ...(t.type === 'event' ? { channel: t.channel ?? '', pattern: t.pattern } : {}),
    ...(t.type === 'system_event'
      ? { source: t.source, eventType: t.event_type, filters: Object.entries(t.filters).map(([k, v]) => `${k}=${v}`).join(', ') }
      : {}),
    ...(t.type === 'webhook' ? { webhookPath: t.path ?? '' } : {}),
    action: a.type,
    ...(a.type === 'lightweight' ? { prompt: a.prompt } : { title: a.title, task: a.description }),
  }
}

/** Creates a routine, or edits one (`id`). */
export function RoutineForm({ id }: { id?: string }) {
  const existing = useResource(() => (id ? api.routines.detail(id) : Promise.resolve(null)), [id])
  const [form, setForm] = useState<FormState>(EMPTY)
  const [saving, setSaving] = useState(false)
  const [error, setError] = useState<string | null>(null)
  useEffect(() => {
    if (existing.data) setForm(fromDetail(existing.data))
  }, [existing.data])
  const set = <K extends keyof FormState>(key: K, value: FormState[K]) => setForm((f) => ({ ...f, [key]: value }))
  const text = (key: keyof FormState) => ({
    id: `routine-${key}`,
    value: form[key] as string,
    onInput: (e: Event) => set(key, (e.target as HTMLInputElement).value as never),
  })

  const submit = async (e: Event) => {
    e.preventDefault()
    if (!form.name.trim()) return setError('Give the routine a name.')
    setSaving(true)
    setError(null)
    try {
      const input = toInput(form)
      const saved = id ? await api.routines.update(id, input) : await api.routines.create(input)
      if (saved.webhook_secret) showSecretOnce(saved.id, saved.webhook_secret)
      toast(id ? 'Routine saved' : 'Routine created', 'success')
      navigate(`/routines/${encodeURIComponent(saved?.id ?? id ?? '')}`)
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setSaving(false)
    }
  }

  if (existing.error) {
    return (
      <div class="page">
        <PageHeader title={id ? 'Edit routine' : 'New routine'} />
        <ErrorNotice error={existing.error} />
      </div>
    )
  }
  if (id && !existing.data) return <div class="loading-block"><Spinner /></div>

  return (
    <div class="page">
      <a class="back" href={link(id ? `/routines/${encodeURIComponent(id)}` : '/routines')}>
        <Icon name="chevron" size={14} /> {id ? 'Routine' : 'Routines'}
      </a>
      <PageHeader title={id ? `Edit ${form.name || 'routine'}` : 'New routine'} />
      <form class="card card-pad form-grid narrow-form" onSubmit={submit}>
        <div class="field">
          <label class="label" for="routine-name">Name</label>
          <input {...text('name')} required placeholder="Morning briefing" />
        </div>
        <div class="field">
          <label class="label" for="routine-description">Description</label>
          <input {...text('description')} placeholder="What it is for (optional)" />
        </div>
        <fieldset class="fieldset">
          <legend class="label">When it runs</legend>
          <select id="routine-trigger" aria-label="Trigger" value={form.trigger} onChange={(e) => set('trigger', (e.target as HTMLSelectElement).value as TriggerType)}>
            <option value="cron">On a schedule (cron)</option>
            <option value="event">When a message matches</option>
            <option value="system_event">On a system event</option>
            <option value="webhook">When a webhook is called</option>
            <option value="manual">Only when run by hand</option>
          </select>
          {form.trigger === 'cron' ? (
            <div class="grid-2">
              <div class="field">
                <label class="label" for="routine-schedule">Schedule</label>
                <input {...text('schedule')} placeholder="0 9 * * *" spellcheck={false} />
                <span class="field-hint">Minute hour day month weekday, e.g. “0 9 * * 1-5” = 9:00 on weekdays.</span>
              </div>
              <div class="field">
                <label class="label" for="routine-timezone">Time zone</label>
                <input {...text('timezone')} placeholder="Europe/Paris" />
              </div>
            </div>
          ) : form.trigger === 'event' ? (
            <div class="grid-2">
              <div class="field">
                <label class="label" for="routine-pattern">Pattern (regular expression)</label>
                <input {...text('pattern')} placeholder="invoice|receipt" spellcheck={false} />
              </div>
              <div class="field">
                <label class="label" for="routine-channel">Channel</label>
                <input {...text('channel')} placeholder="any" />
              </div>
            </div>
          ) : form.trigger === 'system_event' ? (
            <div class="grid-2">
              <div class="field">
                <label class="label" for="routine-source">Source</label>
                <input {...text('source')} placeholder="gateway" />
              </div>
              <div class="field">
                <label class="label" for="routine-eventType">Event type</label>
                <input {...text('eventType')} placeholder="job_status" spellcheck={false} />
              </div>
              <div class="field">
                <label class="label" for="routine-filters">Only when</label>
                <input {...text('filters')} placeholder="state=failed" spellcheck={false} />
                <span class="field-hint">Fields the event must have, e.g. “state=failed”; comma-separated.</span>
              </div>
            </div>
          ) : form.trigger === 'webhook' ? (
            <div class="field">
              <label class="label" for="routine-webhookPath">Webhook path</label>
              <input {...text('webhookPath')} placeholder="my-hook" spellcheck={false} />
              <span class="field-hint">Called at /api/webhooks/&lt;path&gt; (a random one when empty). The signing secret is shown once, after saving.</span>
            </div>
          ) : null}
        </fieldset>
        <fieldset class="fieldset">
          <legend class="label">What it does</legend>
          <select id="routine-action" aria-label="Action" value={form.action} onChange={(e) => set('action', (e.target as HTMLSelectElement).value as ActionType)}>
            <option value="lightweight">Ask the agent (a quick prompt)</option>
            <option value="full_job">Run a full job</option>
          </select>
          {form.action === 'lightweight' ? (
            <>
              <div class="field">
                <label class="label" for="routine-prompt">Prompt</label>
                <textarea id="routine-prompt" rows={5} value={form.prompt} onInput={(e) => set('prompt', (e.target as HTMLTextAreaElement).value)} placeholder="Summarise my unread email and list anything urgent." />
              </div>
              <span class="field-hint">Runs as a new message in the routine’s own thread; tools that need approval wait for you there.</span>
            </>
          ) : (
            <>
              <div class="field">
                <label class="label" for="routine-title">Job title</label>
                <input {...text('title')} />
              </div>
              <div class="field">
                <label class="label" for="routine-task">Task</label>
                <textarea id="routine-task" rows={5} value={form.task} onInput={(e) => set('task', (e.target as HTMLTextAreaElement).value)} />
              </div>
            </>
          )}
        </fieldset>
        <label class="check">
          <input type="checkbox" checked={form.enabled} onChange={(e) => set('enabled', (e.target as HTMLInputElement).checked)} /> Enabled
        </label>
        <p class="form-error" role="alert">
          {error ?? ''}
        </p>
        <div class="row">
          <button type="submit" class="btn btn-primary" disabled={saving}>
            {saving ? 'Saving…' : id ? 'Save changes' : 'Create routine'}
          </button>
          <a class="btn btn-ghost" href={link(id ? `/routines/${encodeURIComponent(id)}` : '/routines')}>
            Cancel
          </a>
        </div>
      </form>
    </div>
  )
}
