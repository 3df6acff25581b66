import { useState } from 'preact/hooks'
import { gatewayUrl } from '../../api/client'
import { api } from '../../api/index'
import { Icon } from '../../components/Icon'
import { Loadable, useResource } from '../../components/Resource'
import { EmptyState } from '../../components/ui'
import { bytes } from '../../lib/format'

/**
 * The signed workspace link (it carries its own short-lived signature) under the gateway's mount,
 * if it is a gateway path: never another origin.
 */
const safeBrowse = (url: string | undefined): string | undefined => (url && url.startsWith('/') && !url.startsWith('//') ? gatewayUrl(url) : undefined)

/** Browses a job's workspace: folders to walk into, files shown as text. */
export function JobFiles({ id, browseUrl }: { id: string; browseUrl?: string | undefined }) {
  const [dir, setDir] = useState('')
  const [file, setFile] = useState<string | null>(null)
  const listing = useResource(() => api.jobs.files(id, dir), [id, dir])
  const crumbs = dir ? dir.split('/') : []
  return (
    <div class="split">
      <section class="card" aria-label="Job files">
        <nav class="card-head crumbs" aria-label="Folder">
          <button type="button" class="btn btn-ghost btn-small" onClick={() => setDir('')}>
            workspace
          </button>
          {crumbs.map((c, i) => (
            <span key={i} class="row">
              /
              <button type="button" class="btn btn-ghost btn-small" onClick={() => setDir(crumbs.slice(0, i + 1).join('/'))}>
                {c}
              </button>
            </span>
          ))}
        </nav>
        <Loadable resource={listing}>
          {(data) =>
            data.entries.length ? (
              <ul class="tree">
                {data.entries.map((entry) => (
                  <li key={entry.path}>
                    <button
                      type="button"
                      class={`tree-item${file === entry.path ? ' active' : ''}`}
                      onClick={() => (entry.is_dir ? (setDir(entry.path), setFile(null)) : setFile(entry.path))}
                    >
                      <Icon name={entry.is_dir ? 'folder' : 'file'} size={15} />
                      {entry.name}
                    </button>
                  </li>
                ))}
              </ul>
            ) : (
              <EmptyState icon="folder" title="Empty folder" />
            )
          }
        </Loadable>
      </section>
      <div>
        {file ? (
          <FileView id={id} path={file} />
        ) : (
          <div class="card">
            <EmptyState icon="file" title="Pick a file to read it">
              {safeBrowse(browseUrl) ? (
                <a href={safeBrowse(browseUrl)} target="_blank" rel="noopener noreferrer">
                  Open the workspace in a new tab
                </a>
              ) : null}
            </EmptyState>
          </div>
        )}
      </div>
    </div>
  )
}

function FileView({ id, path }: { id: string; path: string }) {
  const content = useResource(() => api.jobs.file(id, path), [id, path])
  return (
    <section class="card" aria-label={path}>
      <div class="card-head">
        <Icon name="file" />
        <h2 class="grow truncate">{path}</h2>
      </div>
      <div class="card-pad">
        <Loadable resource={content}>
          {(data) =>
            data.content === null || data.binary ? (
              <p class="muted">A binary file ({bytes(data.size ?? 0)}): open the workspace in a new tab to download it.</p>
            ) : (
              <>
                <pre class="code-view">{data.content}</pre>
                {data.truncated ? <p class="muted small">Only the beginning of this {bytes(data.size ?? 0)} file is shown.</p> : null}
              </>
            )
          }
        </Loadable>
      </div>
    </section>
  )
}
