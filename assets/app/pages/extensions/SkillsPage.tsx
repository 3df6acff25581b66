import { useState } from 'preact/hooks'
import { api } from '../../api/index'
import type { SkillInfo, SkillSearchResult } from '../../api/types'
import { confirmAction, Dialog, DialogFooter } from '../../components/Dialog'
import { Icon } from '../../components/Icon'
import { ErrorNotice, Loadable, useResource } from '../../components/Resource'
import { Badge, EmptyState, PageHeader } from '../../components/ui'
import { count } from '../../lib/format'
import { attempt, errorMessage } from '../../state/toasts'

/** Installed skills, the registry search, and installing one by name, URL or pasted SKILL.md. */
export function SkillsPage() {
  const skills = useResource(() => api.skills.list(), [])
  const [query, setQuery] = useState('')
  const [results, setResults] = useState<SkillSearchResult | null>(null)
  const [searching, setSearching] = useState(false)
  const [manual, setManual] = useState(false)
  if (skills.error?.unavailable) {
    return (
      <div class="page">
        <PageHeader title="Skills" />
        <ErrorNotice error={skills.error} />
      </div>
    )
  }
  const installed = new Set(skills.data?.skills.map((s) => s.name))
  const search = async (e: Event) => {
    e.preventDefault()
    if (!query.trim()) return setResults(null)
    setSearching(true)
    try {
      setResults(await api.skills.search(query.trim()))
    } catch (error) {
      await attempt(() => Promise.reject(error))
    } finally {
      setSearching(false)
    }
  }
  const install = async (input: { name: string; slug?: string }) => {
    if (await attempt(() => api.skills.install(input).then((r) => (r.success ? r : Promise.reject(new Error(r.message)))), `${input.name} installed`)) await skills.reload()
  }
  return (
    <div class="page">
      <PageHeader
        title="Skills"
        subtitle="Instructions and know-how the agent loads when a task calls for them."
        actions={
          <button type="button" class="btn" onClick={() => setManual(true)}>
            <Icon name="plus" size={16} /> Install from URL or text
          </button>
        }
      />
      <form class="row search-row" role="search" onSubmit={search}>
        <label for="skill-search" class="visually-hidden">
          Search the skill registry
        </label>
        <input id="skill-search" type="search" class="grow" placeholder="Search the registry…" value={query} onInput={(e) => setQuery((e.target as HTMLInputElement).value)} />
        <button type="submit" class="btn" disabled={searching}>
          <Icon name="search" size={16} /> Search
        </button>
      </form>
      {results ? (
        <section class="card section" aria-label="Registry results">
          <div class="card-head">
            <h2>Registry</h2>
            <div class="row">
              <button type="button" class="btn-icon" aria-label="Close results" onClick={() => setResults(null)}>
                <Icon name="close" />
              </button>
            </div>
          </div>
          {results.catalog_error ? <p class="muted pad">The registry could not be reached: {results.catalog_error}</p> : null}
          {results.catalog.length ? (
            <ul class="list">
              {results.catalog.map((entry) => (
                <li key={entry.slug} class="row">
                  <div class="grow">
                    <div class="list-title">
                      {entry.name} {entry.version ? <span class="muted small">v{entry.version}</span> : null}
                    </div>
                    <div class="muted small">{entry.description}</div>
                    <div class="muted small">
                      {entry.owner ? `by ${entry.owner} · ` : ''}
                      {entry.downloads !== null && entry.downloads !== undefined ? `${count(entry.downloads)} downloads` : ''}
                    </div>
                  </div>
                  {entry.installed ?? installed.has(entry.name) ? (
                    <Badge tone="good">installed</Badge>
                  ) : (
                    <button type="button" class="btn btn-small btn-primary" onClick={() => void install({ name: entry.name, slug: entry.slug })}>
                      Install
                    </button>
                  )}
                </li>
              ))}
            </ul>
          ) : (
            <p class="muted pad">No registry skills matched.</p>
          )}
        </section>
      ) : null}
      <h2 class="section-title">Installed</h2>
      <Loadable resource={skills}>
        {(data) =>
          data.skills.length ? (
            <div class="grid-2">
              {data.skills.map((s) => (
                <SkillTile key={s.name} skill={s} onRemoved={() => void skills.reload()} />
              ))}
            </div>
          ) : (
            <div class="card">
              <EmptyState icon="skills" title="No skills installed" />
            </div>
          )
        }
      </Loadable>
      <InstallDialog open={manual} onClose={() => setManual(false)} onInstalled={() => void skills.reload()} />
    </div>
  )
}

function SkillTile({ skill, onRemoved }: { skill: SkillInfo; onRemoved: () => void }) {
  return (
    <article class="tile">
      <div class="tile-head">
        <Icon name="skills" />
        <h3>{skill.name}</h3>
        <Badge tone={skill.trust === 'trusted' ? 'good' : 'neutral'}>{typeof skill.source === 'object' && skill.source.kind === 'shared' ? 'shared' : skill.trust}</Badge>
      </div>
      <p class="muted small">{skill.description}</p>
      {skill.keywords.length ? (
        <div class="row">
          {skill.keywords.slice(0, 6).map((k) => (
            <span key={k} class="tag">
              {k}
            </span>
          ))}
        </div>
      ) : null}
      <div class="tile-foot">
        <span class="muted small grow">v{skill.version}</span>
        <button
          type="button"
          class="btn btn-small btn-danger-ghost"
          onClick={async () => {
            if (!(await confirmAction(`Remove the skill “${skill.name}”?`, { confirm: 'Remove' }))) return
            if (await attempt(() => api.skills.remove(skill.name), `${skill.name} removed`)) onRemoved()
          }}
        >
          Remove
        </button>
      </div>
    </article>
  )
}

function InstallDialog({ open, onClose, onInstalled }: { open: boolean; onClose: () => void; onInstalled: () => void }) {
  const [name, setName] = useState('')
  const [url, setUrl] = useState('')
  const [content, setContent] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const submit = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      const result = await api.skills.install({ name: name.trim(), ...(url.trim() ? { url: url.trim() } : {}), ...(content.trim() ? { content } : {}) })
      if (!result.success) throw new Error(result.message)
      onInstalled()
      onClose()
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setBusy(false)
    }
  }
  return (
    <Dialog title="Install a skill" open={open} onClose={onClose} wide>
      <form class="form-grid" onSubmit={submit}>
        <div class="field">
          <label class="label" for="skill-name">Name</label>
          <input id="skill-name" required value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        </div>
        <div class="field">
          <label class="label" for="skill-url">From a URL (https)</label>
          <input id="skill-url" type="url" placeholder="https://…/SKILL.md" value={url} onInput={(e) => setUrl((e.target as HTMLInputElement).value)} />
        </div>
        <div class="field">
          <label class="label" for="skill-content">Or paste SKILL.md</label>
          <textarea id="skill-content" rows={8} class="editor-small" value={content} onInput={(e) => setContent((e.target as HTMLTextAreaElement).value)} />
        </div>
        <DialogFooter error={error} onCancel={onClose} disabled={busy || !name.trim() || (!url.trim() && !content.trim())} submit={busy ? 'Installing…' : 'Install'} />
      </form>
    </Dialog>
  )
}
