import { useState } from 'preact/hooks'
import { api } from '../../api/index'
import type { CreatedToken, TokenInfo } from '../../api/types'
import { confirmAction, Dialog, DialogFooter } from '../../components/Dialog'
import { Icon } from '../../components/Icon'
import { ErrorNotice, Loadable, useResource } from '../../components/Resource'
import { SecretReveal } from '../../components/SecretReveal'
import { Badge, EmptyState, PageHeader, StatusBadge } from '../../components/ui'
import { dateTime, timeAgo } from '../../lib/format'
import { attempt, errorMessage } from '../../state/toasts'
import { BrowserSessions } from './BrowserSessions'

/** The caller's API tokens (create, shown once; see when each was used; revoke) and browser sessions. */
export function TokensPage() {
  const tokens = useResource(() => api.tokens.list(), [])
  const [creating, setCreating] = useState(false)
  return (
    <div class="page">
      <PageHeader
        title="API tokens"
        subtitle="Tokens for scripts and other apps. Each acts as you; revoke any you no longer use."
        actions={
          <button type="button" class="btn btn-primary" onClick={() => setCreating(true)}>
            <Icon name="plus" size={16} /> New token
          </button>
        }
      />
      {tokens.error?.unavailable ? (
        <ErrorNotice error={tokens.error} />
      ) : (
        <div class="card">
          <Loadable resource={tokens}>
            {(data) =>
              data.tokens.length ? (
                <div class="table-wrap">
                  <table class="table">
                    <thead>
                      <tr>
                        <th>Name</th>
                        <th>Prefix</th>
                        <th>Created</th>
                        <th>Last used</th>
                        <th>Expires</th>
                        <th>
                          <span class="visually-hidden">Actions</span>
                        </th>
                      </tr>
                    </thead>
                    <tbody>
                      {data.tokens.map((t) => (
                        <tr key={t.id}>
                          <td>
                            {t.name}
                            {t.impersonation ? <ImpersonationNote token={t} /> : null}
                          </td>
                          <td>
                            <code>{t.token_prefix}…</code>
                          </td>
                          <td class="muted nowrap">{timeAgo(t.created_at)}</td>
                          <td class="muted">{t.last_used_at ? timeAgo(t.last_used_at) : 'never'}</td>
                          <td class="muted">{t.revoked_at ? <StatusBadge status="revoked" /> : t.expires_at ? dateTime(t.expires_at) : 'never'}</td>
                          <td>
                            <div class="cell-actions">
                              {!t.revoked_at ? (
                                <button
                                  type="button"
                                  class="btn btn-small btn-danger-ghost"
                                  onClick={async () => {
                                    if (!(await confirmAction(`Revoke “${t.name}”? Anything using it stops working at once.`, { confirm: 'Revoke' }))) return
                                    if (await attempt(() => api.tokens.revoke(t.id), 'Token revoked')) await tokens.reload()
                                  }}
                                >
                                  Revoke
                                </button>
                              ) : null}
                            </div>
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              ) : (
                <EmptyState icon="tokens" title="No API tokens yet" />
              )
            }
          </Loadable>
        </div>
      )}
      <BrowserSessions />
      <CreateToken open={creating} onClose={() => setCreating(false)} onCreated={() => void tokens.reload()} />
    </div>
  )
}

/**
 * A token someone other than its user minted: the owner impersonating a user, or whoever
 * created the account (its first token). Both sides see it; revoke it when it is not needed.
 */
function ImpersonationNote({ token }: { token: TokenInfo }) {
  const text = token.minted_by === null ? '' : `minted by ${token.minted_by} for ${token.user_id}`
  return (
    <div>
      <Badge tone="warn">impersonation</Badge> <span class="muted">{text}</span>
    </div>
  )
}

function CreateToken({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: () => void }) {
  const [name, setName] = useState('')
  const [days, setDays] = useState('90')
  const [created, setCreated] = useState<CreatedToken | null>(null)
  const [error, setError] = useState<string | null>(null)
  const close = () => {
    setCreated(null)
    setName('')
    setError(null)
    onClose()
  }
  const submit = async (e: Event) => {
    e.preventDefault()
    try {
      setCreated(await api.tokens.create(name.trim(), days ? Number(days) : undefined))
      onCreated()
    } catch (err) {
      setError(errorMessage(err))
    }
  }
  return (
    <Dialog title="New API token" open={open} onClose={close}>
      {created ? (
        <>
          <SecretReveal label="Your new token" value={created.token} />
          <div class="dialog-actions">
            <button type="button" class="btn btn-primary" onClick={close}>
              Done
            </button>
          </div>
        </>
      ) : (
        <form class="form-grid" onSubmit={submit}>
          <div class="field">
            <label class="label" for="token-name">Name</label>
            <input id="token-name" required value={name} placeholder="laptop script" onInput={(e) => setName((e.target as HTMLInputElement).value)} />
          </div>
          <div class="field">
            <label class="label" for="token-days">Expires</label>
            <select id="token-days" value={days} onChange={(e) => setDays((e.target as HTMLSelectElement).value)}>
              <option value="7">in 7 days</option>
              <option value="30">in 30 days</option>
              <option value="90">in 90 days</option>
              <option value="365">in a year</option>
              <option value="">never</option>
            </select>
          </div>
          <DialogFooter error={error} onCancel={close} disabled={!name.trim()} submit="Create" />
        </form>
      )}
    </Dialog>
  )
}
