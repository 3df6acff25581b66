import { useState } from 'preact/hooks'
import { api } from '../../api/index'
import { confirmAction } from '../../components/Dialog'
import { Icon } from '../../components/Icon'
import { ErrorNotice, Loadable, useResource } from '../../components/Resource'
import { EmptyState, PageHeader } from '../../components/ui'
import { timeAgo } from '../../lib/format'
import { navigate, route } from '../../state/router'
import { me } from '../../state/session'
import { attempt } from '../../state/toasts'

/** A user's secrets by name (values are write-only: set or replace, never read back). */
export function SecretsPage() {
  const users = useResource(() => api.admin.users(), [])
  const userId = route.value.query.get('user') ?? me.value?.user_id ?? ''
  return (
    <div class="page">
      <PageHeader
        title="Secrets"
        subtitle="API keys and credentials extensions use on a user's behalf. Values are encrypted and never shown again."
        actions={
          users.data ? (
            <div class="field">
              <label class="visually-hidden" for="secret-user">User</label>
              <select id="secret-user" value={userId} onChange={(e) => navigate(`/admin/secrets?user=${encodeURIComponent((e.target as HTMLSelectElement).value)}`)}>
                {users.data.users.map((u) => (
                  <option key={u.id} value={u.id}>
                    {u.display_name || u.id}
                  </option>
                ))}
              </select>
            </div>
          ) : null
        }
      />
      {userId ? <UserSecrets key={userId} userId={userId} /> : null}
    </div>
  )
}

function UserSecrets({ userId }: { userId: string }) {
  const secrets = useResource(() => api.admin.secrets(userId), [userId])
  const [name, setName] = useState('')
  const [value, setValue] = useState('')
  if (secrets.error) return <ErrorNotice error={secrets.error} retry={() => void secrets.reload()} />
  return (
    <>
      <form
        class="card card-pad section form-grid"
        onSubmit={async (e) => {
          e.preventDefault()
          if (await attempt(() => api.admin.setSecret(userId, name.trim(), value), `${name.trim()} saved`)) {
            setName('')
            setValue('')
            await secrets.reload()
          }
        }}
      >
        <h2>Set a secret</h2>
        <div class="grid-2">
          <div class="field">
            <label class="label" for="secret-name">Name</label>
            <input id="secret-name" required pattern="[A-Za-z0-9_.\-]+" placeholder="brave_api_key" value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
          </div>
          <div class="field">
            <label class="label" for="secret-value">Value</label>
            <input id="secret-value" type="password" autocomplete="off" required value={value} onInput={(e) => setValue((e.target as HTMLInputElement).value)} />
          </div>
        </div>
        <div>
          <button type="submit" class="btn btn-primary" disabled={!name.trim() || !value}>
            Save secret
          </button>
        </div>
      </form>
      <div class="card section">
        <Loadable resource={secrets}>
          {(data) =>
            data.secrets.length ? (
              <ul class="list">
                {data.secrets.map((s) => (
                  <li key={s.name} class="row">
                    <Icon name="secrets" size={16} />
                    <code class="grow">{s.name}</code>
                    <span class="muted small">{s.updated_at ? `updated ${timeAgo(s.updated_at)}` : ''}</span>
                    <button
                      type="button"
                      class="btn-icon"
                      aria-label={`Delete ${s.name}`}
                      onClick={async () => {
                        if (!(await confirmAction(`Delete the secret “${s.name}”? Extensions using it stop working.`, { confirm: 'Delete' }))) return
                        if (await attempt(() => api.admin.deleteSecret(userId, s.name), 'Deleted')) await secrets.reload()
                      }}
                    >
                      <Icon name="trash" size={16} />
                    </button>
                  </li>
                ))}
              </ul>
            ) : (
              <EmptyState icon="secrets" title="No secrets stored for this user" />
            )
          }
        </Loadable>
      </div>
    </>
  )
}
