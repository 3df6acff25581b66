import { useEffect, useMemo, useState } from 'preact/hooks'
import { api } from '../../api/index'
import type { MemorySearchHit } from '../../api/types'
import { Icon } from '../../components/Icon'
import { Markdown } from '../../components/Markdown'
import { ErrorNotice, Loadable, useResource } from '../../components/Resource'
import { Tree } from '../../components/Tree'
import { EmptyState, Highlighted, PageHeader, Spinner } from '../../components/ui'
import { timeAgo } from '../../lib/format'
import { buildTree } from '../../lib/tree'
import { navigate, route } from '../../state/router'
import { attempt, errorMessage } from '../../state/toasts'

const openPath = (path: string) => navigate(`/memory?path=${encodeURIComponent(path)}`)

/** The agent's workspace: browse the tree, read and edit notes, search them. */
export function MemoryPage() {
  const path = route.value.query.get('path') ?? ''
  const tree = useResource(() => api.memory.tree(), [])
  const nodes = useMemo(() => buildTree(tree.data?.entries ?? []), [tree.data])
  const [query, setQuery] = useState('')
  const [results, setResults] = useState<{ query: string; hits: MemorySearchHit[] } | null>(null)
  const [searching, setSearching] = useState(false)
  const [searchError, setSearchError] = useState<string | null>(null)
  const [creating, setCreating] = useState(false)

  const search = async (e: Event) => {
    e.preventDefault()
    const q = query.trim()
    if (!q) return setResults(null)
    setSearching(true)
    setSearchError(null)
    try {
      setResults({ query: q, hits: (await api.memory.search(q)).results })
    } catch (error) {
      setSearchError(errorMessage(error))
    } finally {
      setSearching(false)
    }
  }

  if (tree.error?.unavailable) {
    return (
      <div class="page">
        <PageHeader title="Memory" />
        <ErrorNotice error={tree.error} />
      </div>
    )
  }

  return (
    <div class="page">
      <PageHeader
        title="Memory"
        subtitle="What the agent remembers: notes, identity and context files in its workspace."
        actions={
          <button type="button" class="btn btn-primary" onClick={() => setCreating(true)}>
            <Icon name="plus" size={16} /> New note
          </button>
        }
      />
      <form class="row search-row" role="search" onSubmit={search}>
        <label for="memory-search" class="visually-hidden">
          Search memory
        </label>
        <input id="memory-search" type="search" class="grow" placeholder="Search notes…" value={query} onInput={(e) => setQuery((e.target as HTMLInputElement).value)} />
        <button type="submit" class="btn" disabled={searching}>
          <Icon name="search" size={16} /> Search
        </button>
      </form>
      {searchError ? <p class="form-error">{searchError}</p> : null}
      {results ? <SearchResults results={results} onClose={() => setResults(null)} /> : null}
      <div class="split">
        <div class="card">
          <Loadable resource={tree}>
            {() => (nodes.length ? <Tree nodes={nodes} selected={path} onSelect={openPath} label="Workspace files" /> : <EmptyState icon="memory" title="No notes yet" />)}
          </Loadable>
        </div>
        <div>
          {creating ? (
            <NewNote
              onDone={(created) => {
                setCreating(false)
                if (created) {
                  void tree.reload()
                  openPath(created)
                }
              }}
            />
          ) : path ? (
            <NoteView key={path} path={path} onSaved={() => void tree.reload()} />
          ) : (
            <div class="card">
              <EmptyState icon="file" title="Pick a note">
                Choose a file on the left, search, or create a new note.
              </EmptyState>
            </div>
          )}
        </div>
      </div>
    </div>
  )
}

function SearchResults({ results, onClose }: { results: { query: string; hits: MemorySearchHit[] }; onClose: () => void }) {
  return (
    <section class="card section" aria-label="Search results">
      <div class="card-head">
        <h2>
          {results.hits.length} result{results.hits.length === 1 ? '' : 's'} for “{results.query}”
        </h2>
        <div class="row">
          <button type="button" class="btn-icon" aria-label="Close search results" onClick={onClose}>
            <Icon name="close" />
          </button>
        </div>
      </div>
      {results.hits.length ? (
        <ul class="list">
          {results.hits.map((hit, i) => (
            <li key={`${hit.path}-${i}`} class="flush">
              <button type="button" class="search-hit" onClick={() => openPath(hit.path)}>
                <span class="row">
                  <Icon name="file" size={15} />
                  <strong class="grow">{hit.path}</strong>
                  <span class="muted small">{(hit.score * 100).toFixed(0)}%</span>
                </span>
                <span class="search-snippet">
                  <Highlighted text={hit.snippet ?? hit.content} query={results.query} />
                </span>
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted pad">Nothing matched.</p>
      )}
    </section>
  )
}

function NoteView({ path, onSaved }: { path: string; onSaved: () => void }) {
  const file = useResource(() => api.memory.read(path), [path])
  const [draft, setDraft] = useState<string | null>(null)
  const [saving, setSaving] = useState(false)
  useEffect(() => setDraft(null), [path])
  const save = async () => {
    if (draft === null) return
    setSaving(true)
    const ok = await attempt(() => api.memory.write(path, draft), 'Saved')
    setSaving(false)
    if (ok) {
      setDraft(null)
      await file.reload()
      onSaved()
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
            <button type="button" class="btn btn-small" disabled={!file.data} onClick={() => setDraft(file.data?.content ?? '')}>
              <Icon name="edit" size={15} /> Edit
            </button>
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

function NewNote({ onDone }: { onDone: (path: string | null) => void }) {
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
      await api.memory.write(clean, content)
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
      <p class="form-error" role="alert">
        {error ?? ''}
      </p>
      <div class="dialog-actions">
        <button type="button" class="btn btn-ghost" onClick={() => onDone(null)}>
          Cancel
        </button>
        <button type="submit" class="btn btn-primary" disabled={saving}>
          {saving ? <Spinner label="Saving" /> : null} Create
        </button>
      </div>
    </form>
  )
}
