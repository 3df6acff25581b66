import { useState } from 'preact/hooks'
import { api } from '../../api/index'
import type { User } from '../../api/types'
import { confirmAction, Dialog, DialogFooter } from '../../components/Dialog'
import { Icon } from '../../components/Icon'
import { ErrorNotice, Loadable, useResource } from '../../components/Resource'
import { SecretReveal } from '../../components/SecretReveal'
import { Badge, EmptyState, PageHeader, StatusBadge } from '../../components/ui'
import { timeAgo } from '../../lib/format'
import { link } from '../../state/router'
import { me } from '../../state/session'
import { attempt, errorMessage } from '../../state/toasts'

export function UsersPage() {
  const users = useResource(() => api.admin.users(), [])
  const [creating, setCreating] = useState(false)
  return (
    <div class="page">
      <PageHeader
        title="Users"
        subtitle="Who can use this gateway. Each user has their own conversations, memory, jobs and tokens."
        actions={
          <button type="button" class="btn btn-primary" onClick={() => setCreating(true)}>
            <Icon name="plus" size={16} /> Add user
          </button>
        }
      />
      {users.error ? (
        <ErrorNotice error={users.error} retry={() => void users.reload()} />
      ) : (
        <div class="card">
          <Loadable resource={users}>
            {(data) =>
              data.users.length ? (
                <div class="table-wrap">
                  <table class="table">
                    <thead>
                      <tr>
                        <th>User</th>
                        <th>Role</th>
                        <th>Status</th>
                        <th>Created</th>
                        <th>
                          <span class="visually-hidden">Actions</span>
                        </th>
                      </tr>
                    </thead>
                    <tbody>
                      {data.users.map((u) => (
                        <UserRow key={u.id} user={u} reload={users.reload} />
                      ))}
                    </tbody>
                  </table>
                </div>
              ) : (
                <EmptyState icon="users" title="No users yet" />
              )
            }
          </Loadable>
        </div>
      )}
      <CreateUser open={creating} onClose={() => setCreating(false)} onCreated={() => void users.reload()} />
    </div>
  )
}

function UserRow({ user: u, reload }: { user: User; reload: () => Promise<void> }) {
  const self = u.id === me.value?.user_id
  // The owner (the configured token) is always an active admin.
  const fixed = self || !!u.is_owner
  const suspended = u.status === 'suspended'
  return (
    <tr>
      <td>
        <div class="list-title">{u.display_name || u.id}</div>
        <div class="muted small">
          {u.email ? `${u.email} · ` : ''}
          <code>{u.id}</code>
        </div>
      </td>
      <td>
        <select
          aria-label={`Role of ${u.display_name || u.id}`}
          value={u.role}
          disabled={fixed}
          onChange={async (e) => {
            const role = (e.target as HTMLSelectElement).value as User['role']
            if (await attempt(() => api.admin.updateUser(u.id, { role }), 'Role changed')) await reload()
          }}
        >
          <option value="member">member</option>
          <option value="admin">admin</option>
        </select>
      </td>
      <td>
        <StatusBadge status={u.status} /> {self ? <Badge tone="info">you</Badge> : null} {u.is_owner ? <Badge tone="neutral">owner</Badge> : null}
      </td>
      <td class="muted nowrap">{timeAgo(u.created_at)}</td>
      <td>
        <div class="cell-actions">
          <a class="btn btn-small" href={link('/admin/secrets', { user: u.id })}>
            Secrets
          </a>
          {!fixed ? (
            <>
              <button
                type="button"
                class="btn btn-small"
                onClick={async () => {
                  const fn = suspended ? () => api.admin.activate(u.id) : () => api.admin.suspend(u.id)
                  if (await attempt(fn, suspended ? 'User re-activated' : 'User suspended')) await reload()
                }}
              >
                {suspended ? 'Activate' : 'Suspend'}
              </button>
              <button
                type="button"
                class="btn btn-small btn-danger-ghost"
                onClick={async () => {
                  if (!(await confirmAction(`Delete ${u.display_name || u.id} and all their data (conversations, memory, jobs, tokens)? This cannot be undone.`, { confirm: 'Delete user' }))) return
                  if (await attempt(() => api.admin.deleteUser(u.id), 'User deleted')) await reload()
                }}
              >
                Delete
              </button>
            </>
          ) : null}
        </div>
      </td>
    </tr>
  )
}

function CreateUser({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: () => void }) {
  const [name, setName] = useState('')
  const [email, setEmail] = useState('')
  const [role, setRole] = useState<'admin' | 'member'>('member')
  const [token, setToken] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const close = () => {
    setToken(null)
    setName('')
    setEmail('')
    setError(null)
    onClose()
  }
  const submit = async (e: Event) => {
    e.preventDefault()
    try {
      const created = await api.admin.createUser({ role, display_name: name.trim(), ...(email.trim() ? { email: email.trim() } : {}) })
      setToken(created.token)
      onCreated()
    } catch (err) {
      setError(errorMessage(err))
    }
  }
  return (
    <Dialog title="Add a user" open={open} onClose={close}>
      {token ? (
        <>
          <SecretReveal label="Their sign-in token" value={token} />
          <p class="muted small">Give it to them over a private channel. They can create more tokens themselves.</p>
          <div class="dialog-actions">
            <button type="button" class="btn btn-primary" onClick={close}>
              Done
            </button>
          </div>
        </>
      ) : (
        <form class="form-grid" onSubmit={submit}>
          <div class="field">
            <label class="label" for="user-name">Display name</label>
            <input id="user-name" required value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
          </div>
          <div class="field">
            <label class="label" for="user-email">Email (optional)</label>
            <input id="user-email" type="email" value={email} onInput={(e) => setEmail((e.target as HTMLInputElement).value)} />
          </div>
          <div class="field">
            <label class="label" for="user-role">Role</label>
            <select id="user-role" value={role} onChange={(e) => setRole((e.target as HTMLSelectElement).value as 'admin' | 'member')}>
              <option value="member">member</option>
              <option value="admin">admin</option>
            </select>
          </div>
          <DialogFooter error={error} onCancel={close} disabled={!name.trim()} submit="Create" />
        </form>
      )}
    </Dialog>
  )
}
