import { useState } from 'preact/hooks'
import { api } from '../../api/index'
import type { ActionResponse, SetupField } from '../../api/types'
import { Dialog } from '../../components/Dialog'
import { Icon } from '../../components/Icon'
import { Loadable, useResource } from '../../components/Resource'
import { safeUrl } from '../../lib/markdown'
import { errorMessage } from '../../state/toasts'

/** An extension's setup: its secrets (never shown again once saved) and settings, then the outcome. */
export function SetupWizard({ name, onClose, onDone }: { name: string; onClose: () => void; onDone: () => void }) {
  const setup = useResource(() => api.extensions.setup(name), [name])
  const [values, setValues] = useState<Record<string, string>>({})
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [result, setResult] = useState<ActionResponse | null>(null)
  const submit = async (e: Event) => {
    e.preventDefault()
    const data = setup.data
    if (!data) return
    setBusy(true)
    setError(null)
    const pick = (fields: SetupField[]) => Object.fromEntries(fields.map((f) => [f.name, values[`${f.name}`] ?? '']).filter(([, v]) => v !== ''))
    try {
      const outcome = await api.extensions.configure(name, pick(data.secrets), pick(data.fields))
      setResult(outcome)
      if (outcome.success) onDone()
      else setError(outcome.message)
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setBusy(false)
    }
  }
  const field = (f: SetupField, secret: boolean) => (
    <div class="field" key={f.name}>
      <label class="label" for={`setup-${f.name}`}>
        {f.prompt || f.name}
        {f.optional ? ' (optional)' : ''}
      </label>
      <input
        id={`setup-${f.name}`}
        type={secret || f.input_type === 'password' ? 'password' : 'text'}
        autocomplete="off"
        placeholder={f.provided ? 'Saved; leave empty to keep it' : f.auto_generate ? 'Generated if left empty' : ''}
        value={values[f.name] ?? ''}
        onInput={(e) => setValues({ ...values, [f.name]: (e.target as HTMLInputElement).value })}
      />
    </div>
  )
  const authUrl = safeUrl(result?.auth_url ?? null)
  return (
    <Dialog title={`Set up ${name}`} open onClose={onClose} wide>
      <Loadable resource={setup}>
        {(data) =>
          result?.success ? (
            <div class="stack">
              <p>
                <Icon name="check" /> {result.message}
              </p>
              {authUrl ? (
                <a class="btn btn-primary" href={authUrl.href} target="_blank" rel="noopener noreferrer">
                  <Icon name="external" /> Continue signing in
                </a>
              ) : null}
              {result.verification ? (
                <p class="secret-box">
                  <code>{result.verification.code}</code> {result.verification.instructions}
                </p>
              ) : null}
              {result.needs_restart ? <p class="muted">Restart the gateway to finish.</p> : null}
              <div class="dialog-actions">
                <button type="button" class="btn btn-primary" onClick={onClose}>
                  Done
                </button>
              </div>
            </div>
          ) : (
            <form class="form-grid" onSubmit={submit}>
              {!data.secrets.length && !data.fields.length ? <p class="muted">Nothing to configure: activate it from the list.</p> : null}
              {data.secrets.map((f) => field(f, true))}
              {data.fields.map((f) => field(f, false))}
              <p class="form-error" role="alert">
                {error ?? ''}
              </p>
              <div class="dialog-actions">
                <button type="button" class="btn btn-ghost" onClick={onClose}>
                  Cancel
                </button>
                <button type="submit" class="btn btn-primary" disabled={busy}>
                  {busy ? 'Saving…' : 'Save and activate'}
                </button>
              </div>
            </form>
          )
        }
      </Loadable>
    </Dialog>
  )
}
