import { useEffect, useState } from 'preact/hooks'
import { api } from '../../api/index'
import type { ActionResponse, ExtensionInfo } from '../../api/types'
import { confirmAction } from '../../components/Dialog'
import { Icon } from '../../components/Icon'
import { ErrorNotice, Loadable, useResource } from '../../components/Resource'
import { Badge, EmptyState, PageHeader, StatusBadge } from '../../components/ui'
import { onAppEvent } from '../../state/chat'
import { link, navigate, route } from '../../state/router'
import { reportOutcome, runAction } from './action-outcome'
import { SetupWizard } from './SetupWizard'

type Tab = 'installed' | 'registry' | 'tools'

export function ExtensionsPage() {
  const tab = (route.value.query.get('tab') as Tab | null) ?? 'installed'
  const setup = route.value.query.get('setup')
  const installed = useResource(() => api.extensions.list(), [])
  useEffect(
    () =>
      onAppEvent((type) => {
        if (type === 'extension_status' || type === 'auth_completed') void installed.reload()
      }),
    [],
  )
  const go = (next: Tab) => navigate(`/extensions${next === 'installed' ? '' : `?tab=${next}`}`)
  return (
    <div class="page">
      <PageHeader title="Extensions" subtitle="Tools and channels the agent can use: MCP servers, WASM tools and channels." />
      <div class="tabs" role="tablist">
        {(['installed', 'registry', 'tools'] as const).map((t) => (
          <button key={t} type="button" role="tab" aria-selected={tab === t} class={tab === t ? 'active' : ''} onClick={() => go(t)}>
            {t === 'installed' ? 'Installed' : t === 'registry' ? 'Browse registry' : 'All tools'}
          </button>
        ))}
      </div>
      {tab === 'installed' ? (
        installed.error?.unavailable ? (
          <ErrorNotice error={installed.error} />
        ) : (
          <Loadable resource={installed}>
            {(data) =>
              data.extensions.length ? (
                <div class="grid-2">
                  {data.extensions.map((ext) => (
                    <ExtensionTile key={ext.name} ext={ext} reload={installed.reload} />
                  ))}
                </div>
              ) : (
                <div class="card">
                  <EmptyState icon="extensions" title="No extensions installed">
                    <a href={link('/extensions', { tab: 'registry' })}>Browse the registry</a>
                  </EmptyState>
                </div>
              )
            }
          </Loadable>
        )
      ) : tab === 'registry' ? (
        <Registry onInstalled={() => void installed.reload()} />
      ) : (
        <Tools />
      )}
      {setup ? <SetupWizard name={setup} onClose={() => navigate('/extensions', { replace: true })} onDone={() => void installed.reload()} /> : null}
    </div>
  )
}

function ExtensionTile({ ext, reload }: { ext: ExtensionInfo; reload: () => Promise<void> }) {
  const status = ext.activation_status ?? (ext.active ? 'active' : ext.needs_setup ? 'needs setup' : 'inactive')
  const label = ext.display_name ?? ext.name
  const act = async (fn: () => Promise<ActionResponse>) => {
    reportOutcome(await runAction(label, fn), ext.name)
    await reload()
  }
  return (
    <article class="tile">
      <div class="tile-head">
        <Icon name="extensions" />
        <h3>{ext.display_name ?? ext.name}</h3>
        <StatusBadge status={status} />
      </div>
      <div class="row">
        <span class="tag">{ext.kind.replace(/_/g, ' ')}</span>
        {ext.version ? <span class="muted small">v{ext.version}</span> : null}
        {ext.has_auth ? <Badge tone={ext.authenticated ? 'good' : 'warn'}>{ext.authenticated ? 'signed in' : 'not signed in'}</Badge> : null}
      </div>
      {ext.description ? <p class="muted small">{ext.description}</p> : null}
      {ext.activation_error ? <p class="form-error">{ext.activation_error}</p> : null}
      {ext.tools.length ? <p class="small muted">Tools: {ext.tools.join(', ')}</p> : null}
      <div class="tile-foot">
        {!ext.active ? (
          <button type="button" class="btn btn-small btn-primary" onClick={() => void act(() => api.extensions.activate(ext.name))}>
            Activate
          </button>
        ) : null}
        <a class="btn btn-small" href={link('/extensions', { setup: ext.name })}>
          Set up
        </a>
        <button
          type="button"
          class="btn btn-small btn-danger-ghost"
          onClick={async () => {
            if (await confirmAction(`Remove ${label}?`, { confirm: 'Remove' })) await act(() => api.extensions.remove(ext.name))
          }}
        >
          Remove
        </button>
      </div>
    </article>
  )
}

function Registry({ onInstalled }: { onInstalled: () => void }) {
  const [query, setQuery] = useState('')
  const [applied, setApplied] = useState('')
  const registry = useResource(() => api.extensions.registry(applied), [applied])
  return (
    <>
      <form
        class="row search-row"
        role="search"
        onSubmit={(e) => {
          e.preventDefault()
          setApplied(query.trim())
        }}
      >
        <label for="ext-search" class="visually-hidden">
          Search extensions
        </label>
        <input id="ext-search" type="search" class="grow" placeholder="Search extensions…" value={query} onInput={(e) => setQuery((e.target as HTMLInputElement).value)} />
        <button type="submit" class="btn">
          <Icon name="search" size={16} /> Search
        </button>
      </form>
      <Loadable resource={registry}>
        {(data) =>
          data.entries.length ? (
            <div class="grid-2">
              {data.entries.map((entry) => (
                <article key={`${entry.kind}:${entry.name}`} class="tile">
                  <div class="tile-head">
                    <Icon name="extensions" />
                    <h3>{entry.display_name || entry.name}</h3>
                    {entry.installed ? <Badge tone="good">installed</Badge> : null}
                  </div>
                  <span class="tag">{entry.kind.replace(/_/g, ' ')}</span>
                  <p class="muted small">{entry.description}</p>
                  <div class="tile-foot">
                    {!entry.installed ? (
                      <button
                        type="button"
                        class="btn btn-small btn-primary"
                        onClick={async () => {
                          const outcome = await runAction(entry.display_name || entry.name, () => api.extensions.install(entry.name, entry.kind))
                          reportOutcome(outcome, entry.name)
                          onInstalled()
                          await registry.reload()
                        }}
                      >
                        Install
                      </button>
                    ) : (
                      <a class="btn btn-small" href={link('/extensions', { setup: entry.name })}>
                        Set up
                      </a>
                    )}
                  </div>
                </article>
              ))}
            </div>
          ) : (
            <div class="card">
              <EmptyState icon="search" title="Nothing matched" />
            </div>
          )
        }
      </Loadable>
    </>
  )
}

function Tools() {
  const tools = useResource(() => api.extensions.tools(), [])
  return (
    <div class="card">
      <Loadable resource={tools}>
        {(data) =>
          data.tools.length ? (
            <div class="table-wrap">
              <table class="table">
                <thead>
                  <tr>
                    <th>Tool</th>
                    <th>What it does</th>
                    <th>From</th>
                  </tr>
                </thead>
                <tbody>
                  {data.tools.map((t) => (
                    <tr key={t.name}>
                      <td>
                        <code>{t.name}</code>
                      </td>
                      <td class="muted">{t.description}</td>
                      <td class="nowrap">
                        {t.source ? <span class="tag">{t.source}</span> : null} {t.requires_approval ? <Badge tone="warn">asks first</Badge> : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <EmptyState icon="tool" title="No tools registered" />
          )
        }
      </Loadable>
    </div>
  )
}
