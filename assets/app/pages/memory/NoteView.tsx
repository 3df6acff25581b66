import { useEffect, useState } from 'preact/hooks'
import { ApiError } from '../../api/client'
import { api } from '../../api/index'
import { confirmAction, Dialog, DialogFooter } from '../../components/Dialog'
import { Icon } from '../../components/Icon'
import { Markdown } from '../../components/Markdown'
import { Loadable, useResource } from '../../components/Resource'
import { Spinner } from '../../components/ui'
import { timeAgo } from '../../lib/format'
import { navigate } from '../../state/router'
import { attempt, errorMessage, toast } from '../../state/toasts'

export const openPath = (path: string) => navigate(`/memory?path=${encodeURIComponent(path)}`)

/** One note: read (markdown), edit with a conflict check, rename, delete. */
export function NoteView({ path, onSaved }: { path: string; onSaved: () => void }) {
  const file = useResource(() => api.memory.read(path), [path])
  const [draft, setDraft] = useState<string | null>(null)
  const [saving, setSaving] = useState(false)
  const [renaming, setRenaming] = useState(false)
  useEffect(() => setDraft(null), [path])
  const save = async () => {
    if (draft === null) return
    setSaving(true)
    try {
      // Refused (409) when the note changed since editing began: nobody's edit is silently lost.
      await api.memory.write(path, draft, file.data?.updated_at ?? undefined)
      toast('Saved', 'success')
      setDraft(null)
      await file.reload()
      onSaved()
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) toast('This note changed since you started editing. Copy your text, then reload the note.', 'error')
      else toast(errorMessage(error), 'error')
    } finally {
      setSaving(false)
    }
  }
  const remove = async () => {
    if (!(await confirmAction(`Delete ${path}?`, { confirm: 'Delete' }))) return
    if (await attempt(() => api.memory.remove(path), 'Deleted')) {
      onSaved()
      navigate('/memory')
    }
  }
  const isMarkdown = /\.(md|markdown|txt)$/i.test(path) || !/\.[a-z0-9]+$/i.test(path)
  return (
    <section class="card" aria-label={path}>
      <div class="card-head">
        <Icon name="file" />
        <h2 class="grow truncate">{path}</h2>
        <div class="row">
          {file.data?.updated_at ? <span class="muted small">Updated {timeAgo(file.data.updated_at)}</span> : null}
          {draft === null ? (
            <>
              <button type="button" class="btn btn-small" disabled={!file.data} onClick={() => setDraft(file.data?.content ?? '')}>
                <Icon name="edit" size={15} /> Edit
              </button>
              <button type="button" class="btn btn-small btn-ghost" disabled={!file.data} onClick={() => setRenaming(true)}>
                Rename
              </button>
              <button type="button" class="btn-icon" aria-label={`Delete ${path}`} disabled={!file.data} onClick={() => void remove()}>
                <Icon name="trash" size={16} />
              </button>
            </>
          ) : (
            <>
              <button type="button" class="btn btn-ghost btn-small" onClick={() => setDraft(null)}>
                Cancel
              </button>
              <button type="button" class="btn btn-primary btn-small" disabled={saving} onClick={() => void save()}>
                {saving ? 'Saving…' : 'Save'}
              </button>
            </>
          )}
        </div>
      </div>
      {renaming ? <RenameDialog path={path} onClose={() => setRenaming(false)} onDone={onSaved} /> : null}
      <div class="card-pad">
        <Loadable resource={file}>
          {(data) =>
            draft !== null ? (
              <>
                <label for="note-editor" class="visually-hidden">
                  Content of {path}
                </label>
                <textarea
                  id="note-editor"
                  class="editor"
                  value={draft}
                  onInput={(e) => setDraft((e.target as HTMLTextAreaElement).value)}
                  onKeyDown={(e) => {
                    if ((e.ctrlKey || e.metaKey) && e.key === 's') {
                      e.preventDefault()
                      void save()
                    }
                  }}
                />
              </>
            ) : data.content.trim() === '' ? (
              <p class="muted">This note is empty.</p>
            ) : isMarkdown ? (
              <Markdown text={data.content} />
            ) : (
              <pre class="code-view">{data.content}</pre>
            )
          }
        </Loadable>
      </div>
    </section>
  )
}

/** A new note at a path of the user's choosing. */
export function NewNote({ onDone }: { onDone: (path: string | null) => void }) {
  const [path, setPath] = useState('notes/')
  const [content, setContent] = useState('')
  const [saving, setSaving] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const submit = async (e: Event) => {
    e.preventDefault()
    const clean = path.trim().replace(/^\/+/, '')
    if (!clean || clean.endsWith('/')) return setError('Give the note a file name, e.g. notes/ideas.md')
    setSaving(true)
    try {
      // null: refuse to overwrite a note that already exists at that path.
      await api.memory.write(clean, content, null)
      onDone(clean)
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setSaving(false)
    }
  }
  return (
    <form class="card card-pad form-grid" onSubmit={submit} aria-label="New note">
      <div class="field">
        <label for="new-path" class="label">
          Path
        </label>
        <input id="new-path" value={path} onInput={(e) => setPath((e.target as HTMLInputElement).value)} placeholder="notes/ideas.md" />
      </div>
      <div class="field">
        <label for="new-content" class="label">
          Content
        </label>
        <textarea id="new-content" class="editor" value={content} onInput={(e) => setContent((e.target as HTMLTextAreaElement).value)} />
      </div>
      <DialogFooter error={error} onCancel={() => onDone(null)} disabled={saving} submit={<>{saving ? <Spinner label="Saving" /> : null} Create</>} />
    </form>
  )
}

function RenameDialog({ path, onClose, onDone }: { path: string; onClose: () => void; onDone: () => void }) {
  const [to, setTo] = useState(path)
  const [error, setError] = useState<string | null>(null)
  const submit = async (e: Event) => {
    e.preventDefault()
    try {
      await api.memory.move(path, to.trim())
      onDone()
      onClose()
      openPath(to.trim())
    } catch (err) {
      setError(errorMessage(err))
    }
  }
  return (
    <Dialog title="Rename or move" open onClose={onClose}>
      <form class="form-grid" onSubmit={submit}>
        <div class="field">
          <label class="label" for="rename-to">New path</label>
          <input id="rename-to" value={to} onInput={(e) => setTo((e.target as HTMLInputElement).value)} />
        </div>
        <DialogFooter error={error} onCancel={onClose} disabled={!to.trim() || to.trim() === path} submit="Move" />
      </form>
    </Dialog>
  )
}
