import { useState } from 'preact/hooks'
import { api } from '../../api/index'
import type { SetupItem } from '../../api/types'
import { Dialog } from '../../components/Dialog'
import { Icon } from '../../components/Icon'
import { Loadable, useResource } from '../../components/Resource'
import { type ActionOutcome, runAction } from './action-outcome'

/** An extension's setup: its secrets (never shown again once saved) and settings, then the outcome. */
export function SetupWizard({ name, onClose, onDone }: { name: string; onClose: () => void; onDone: () => void }) {
  const setup = useResource(() => api.extensions.setup(name), [name])
  const [values, setValues] = useState<Record<string, string>>({})
  const [busy, setBusy] = useState(false)
  const [outcome, setOutcome] = useState<ActionOutcome | null>(null)
  const submit = async (e: Event) => {
    e.preventDefault()
    const data = setup.data
    if (!data) return
    setBusy(true)
    setOutcome(null)
    const pick = (fields: SetupItem[]) => Object.fromEntries(fields.map((f) => [f.name, values[`${f.name}`] ?? '']).filter(([, v]) => v !== ''))
    const next = await runAction(name, () => api.extensions.configure(name, pick(data.secrets), pick(data.fields)))
    setOutcome(next)
    setBusy(false)
    // Saved either way once the server answered 2xx (a sign-in may still be pending): refresh the list.
    if (next.state === 'done' || next.state === 'pending') onDone()
  }
  const field = (f: SetupItem, secret: boolean) => (
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
  // Saved, and either active or waiting for the provider's sign-in: the wizard's job is done.
  const finished = outcome !== null && (outcome.state === 'done' || outcome.authUrl !== undefined || outcome.verification !== undefined)
  return (
    <Dialog title={`Set up ${name}`} open onClose={onClose} wide>
      <Loadable resource={setup}>
        {(data) =>
          finished && outcome ? (
            <div class="stack" role="status">
              <p>
                <Icon name={outcome.state === 'done' ? 'check' : 'dot'} /> {outcome.message}
              </p>
              {outcome.authUrl ? (
                <a class="btn btn-primary" href={outcome.authUrl.href} target="_blank" rel="noopener noreferrer">
                  <Icon name="external" /> Continue signing in
                </a>
              ) : null}
              {outcome.verification ? (
                <p class="secret-box">
                  <code>{outcome.verification.code}</code> {outcome.verification.instructions}
                </p>
              ) : null}
              {outcome.needsRestart ? <p class="muted">Restart the gateway to finish.</p> : null}
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
              {outcome?.state === 'pending' ? (
                <p class="form-note" role="status">
                  {outcome.message}
                </p>
              ) : (
                <p class="form-error" role="alert">
                  {outcome?.message ?? ''}
                </p>
              )}
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
