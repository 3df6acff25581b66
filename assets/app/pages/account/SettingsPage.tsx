import { useState } from 'preact/hooks'
import { api } from '../../api/index'
import type { Setting } from '../../api/types'
import { confirmAction, Dialog, DialogFooter } from '../../components/Dialog'
import { Icon } from '../../components/Icon'
import { ErrorNotice, Loadable, useResource } from '../../components/Resource'
import { EmptyState, PageHeader } from '../../components/ui'
import { timeAgo } from '../../lib/format'
import { me } from '../../state/session'
import { setTheme, themeChoice, type ThemeChoice } from '../../state/theme'
import { attempt, errorMessage } from '../../state/toasts'

/** JSON when it parses, else the text itself. */
const parseValue = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}
const showValue = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value, null, 2))

export function SettingsPage() {
  const settings = useResource(() => api.settings.list(), [])
  const [editing, setEditing] = useState<{ key: string; value: string; isNew: boolean } | null>(null)
  const [importing, setImporting] = useState(false)
  return (
    <div class="page">
      <PageHeader title="Settings" subtitle="Your preferences on this gateway." />
      <Profile />
      <section class="card card-pad section" aria-label="Appearance">
        <h2>Appearance</h2>
        <div class="field narrow-field">
          <label class="label" for="theme">Theme</label>
          <select id="theme" value={themeChoice.value} onChange={(e) => setTheme((e.target as HTMLSelectElement).value as ThemeChoice)}>
            <option value="system">Follow the system</option>
            <option value="light">Light</option>
            <option value="dark">Dark</option>
          </select>
        </div>
      </section>
      <section class="card section" aria-label="Stored settings">
        <div class="card-head">
          <h2>Stored settings</h2>
          {settings.error?.unavailable ? null : <div class="row">
            <button type="button" class="btn btn-small" onClick={() => setImporting(true)}>
              Import
            </button>
            <button
              type="button"
              class="btn btn-small"
              onClick={async () => {
                try {
                  const data = await api.settings.export()
                  const blob = new Blob([JSON.stringify(data.settings, null, 2)], { type: 'application/json' })
                  const a = document.createElement('a')
                  a.href = URL.createObjectURL(blob)
                  a.download = 'gateway-settings.json'
                  a.click()
                  setTimeout(() => URL.revokeObjectURL(a.href), 1000)
                } catch (error) {
                  await attempt(() => Promise.reject(error))
                }
              }}
            >
              Export
            </button>
            <button type="button" class="btn btn-small btn-primary" onClick={() => setEditing({ key: '', value: '', isNew: true })}>
              <Icon name="plus" size={14} /> Add
            </button>
          </div>}
        </div>
        {settings.error?.unavailable ? (
          <div class="card-pad">
            <ErrorNotice error={settings.error} />
          </div>
        ) : (
          <Loadable resource={settings}>
            {(data) =>
              data.settings.length ? (
                <div class="table-wrap">
                  <table class="table">
                    <thead>
                      <tr>
                        <th>Key</th>
                        <th>Value</th>
                        <th>Updated</th>
                        <th>
                          <span class="visually-hidden">Actions</span>
                        </th>
                      </tr>
                    </thead>
                    <tbody>
                      {data.settings.map((s) => (
                        <SettingRow key={s.key} setting={s} onEdit={() => setEditing({ key: s.key, value: showValue(s.value), isNew: false })} onDeleted={() => void settings.reload()} />
                      ))}
                    </tbody>
                  </table>
                </div>
              ) : (
                <EmptyState icon="settings" title="No settings stored" />
              )
            }
          </Loadable>
        )}
      </section>
      {editing ? <EditSetting initial={editing} onClose={() => setEditing(null)} onSaved={() => void settings.reload()} /> : null}
      <ImportDialog open={importing} onClose={() => setImporting(false)} onDone={() => void settings.reload()} />
    </div>
  )
}

function SettingRow({ setting, onEdit, onDeleted }: { setting: Setting; onEdit: () => void; onDeleted: () => void }) {
  const text = showValue(setting.value)
  return (
    <tr>
      <td>
        <code>{setting.key}</code>
      </td>
      <td class="muted">
        <span class="truncate-2">{text.length > 160 ? `${text.slice(0, 160)}…` : text}</span>
      </td>
      <td class="muted nowrap">{timeAgo(setting.updated_at)}</td>
      <td>
        <div class="cell-actions">
          <button type="button" class="btn-icon" aria-label={`Edit ${setting.key}`} onClick={onEdit}>
            <Icon name="edit" size={16} />
          </button>
          <button
            type="button"
            class="btn-icon"
            aria-label={`Delete ${setting.key}`}
            onClick={async () => {
              if (!(await confirmAction(`Delete the setting “${setting.key}”?`, { confirm: 'Delete' }))) return
              if (await attempt(() => api.settings.remove(setting.key), 'Deleted')) onDeleted()
            }}
          >
            <Icon name="trash" size={16} />
          </button>
        </div>
      </td>
    </tr>
  )
}

function EditSetting({ initial, onClose, onSaved }: { initial: { key: string; value: string; isNew: boolean }; onClose: () => void; onSaved: () => void }) {
  const [key, setKey] = useState(initial.key)
  const [value, setValue] = useState(initial.value)
  const [error, setError] = useState<string | null>(null)
  const submit = async (e: Event) => {
    e.preventDefault()
    try {
      await api.settings.set(key.trim(), parseValue(value))
      onSaved()
      onClose()
    } catch (err) {
      setError(errorMessage(err))
    }
  }
  return (
    <Dialog title={initial.isNew ? 'Add a setting' : `Edit ${initial.key}`} open onClose={onClose}>
      <form class="form-grid" onSubmit={submit}>
        <div class="field">
          <label class="label" for="setting-key">Key</label>
          <input id="setting-key" value={key} readOnly={!initial.isNew} required onInput={(e) => setKey((e.target as HTMLInputElement).value)} />
        </div>
        <div class="field">
          <label class="label" for="setting-value">Value</label>
          <textarea id="setting-value" rows={6} class="editor-small" value={value} onInput={(e) => setValue((e.target as HTMLTextAreaElement).value)} />
          <span class="field-hint">JSON (numbers, true/false, objects) or plain text.</span>
        </div>
        <DialogFooter error={error} onCancel={onClose} disabled={!key.trim()} submit="Save" />
      </form>
    </Dialog>
  )
}

function ImportDialog({ open, onClose, onDone }: { open: boolean; onClose: () => void; onDone: () => void }) {
  const [text, setText] = useState('')
  const [error, setError] = useState<string | null>(null)
  const submit = async (e: Event) => {
    e.preventDefault()
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      return setError('That is not valid JSON.')
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return setError('Expected an object of key → value.')
    try {
      await api.settings.import(parsed as Record<string, unknown>)
      onDone()
      onClose()
    } catch (err) {
      setError(errorMessage(err))
    }
  }
  return (
    <Dialog title="Import settings" open={open} onClose={onClose}>
      <form class="form-grid" onSubmit={submit}>
        <label class="label" for="import-json">
          Settings as JSON (existing keys are overwritten, others kept)
        </label>
        <textarea id="import-json" rows={10} class="editor-small" value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
        <DialogFooter error={error} onCancel={onClose} disabled={!text.trim()} submit="Import" />
      </form>
    </Dialog>
  )
}

function Profile() {
  const profile = useResource(() => api.profile.get(), [])
  const [name, setName] = useState<string | null>(null)
  if (profile.error) return null
  const value = name ?? profile.data?.display_name ?? ''
  return (
    <section class="card card-pad section" aria-label="Profile">
      <h2>Profile</h2>
      <form
        class="row narrow-field"
        onSubmit={async (e) => {
          e.preventDefault()
          if (await attempt(() => api.profile.update({ display_name: value.trim() }), 'Profile saved')) {
            if (me.value) me.value = { ...me.value, display_name: value.trim() || null }
            await profile.reload()
            setName(null)
          }
        }}
      >
        <div class="field grow">
          <label class="label" for="display-name">Display name</label>
          <input id="display-name" value={value} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        </div>
        <button type="submit" class="btn align-end" disabled={!profile.data}>
          Save
        </button>
      </form>
      {profile.data ? (
        <p class="muted small">
          User id <code>{profile.data.id}</code> · {profile.data.role}
          {profile.data.email ? ` · ${profile.data.email}` : ''}
        </p>
      ) : null}
    </section>
  )
}
