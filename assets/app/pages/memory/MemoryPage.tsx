import { useMemo, useState } from 'preact/hooks'
import { api } from '../../api/index'
import type { MemorySearchResult } from '../../api/types'
import { Icon } from '../../components/Icon'
import { ErrorNotice, Loadable, useResource } from '../../components/Resource'
import { Tree } from '../../components/Tree'
import { EmptyState, Highlighted, Marked, PageHeader } from '../../components/ui'
import { NewNote, NoteView, openPath } from './NoteView'
import { useMemoryUpload } from './MemoryUpload'
import { buildTree } from '../../lib/tree'
import { route } from '../../state/router'
import { errorMessage } from '../../state/toasts'


/** The agent's workspace: browse the tree, read and edit notes, search them. */
export function MemoryPage() {
  const path = route.value.query.get('path') ?? ''
  const tree = useResource(() => api.memory.tree(), [])
  const nodes = useMemo(() => buildTree(tree.data?.entries ?? []), [tree.data])
  const [query, setQuery] = useState('')
  const [results, setResults] = useState<{ query: string; hits: MemorySearchResult[] } | null>(null)
  const [searching, setSearching] = useState(false)
  const [searchError, setSearchError] = useState<string | null>(null)
  const [creating, setCreating] = useState(false)
  const uploads = useMemoryUpload(() => void tree.reload())

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
    <div class="page memory-page" {...uploads.dropZone}>
      <PageHeader
        title="Memory"
        subtitle="What the agent remembers: notes, identity and context files in its workspace. Drop PDF, DOCX, Markdown or text files here to add them."
        actions={
          <>
            {uploads.button}
            <button type="button" class="btn btn-primary" onClick={() => setCreating(true)}>
              <Icon name="plus" size={16} /> New note
            </button>
          </>
        }
      />
      {uploads.status}
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

function SearchResults({ results, onClose }: { results: { query: string; hits: MemorySearchResult[] }; onClose: () => void }) {
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
                {hit.heading ? <span class="muted small">{hit.heading}</span> : null}
                <span class="search-snippet">
                  {hit.snippet !== undefined && hit.highlights ? <Marked text={hit.snippet} ranges={hit.highlights} /> : <Highlighted text={hit.snippet ?? hit.content} query={results.query} />}
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
