import { useEffect } from 'preact/hooks'
import { api } from '../../api/index'
import { Loadable, useResource } from '../../components/Resource'
import { Badge, PageHeader, Stat } from '../../components/ui'
import { count, duration, usd } from '../../lib/format'
import { streamState } from '../../state/chat'

/** Uptime, connections, the LLM, the database and which subsystems are on. */
export function StatusPage() {
  const status = useResource(() => api.system.status(), [])
  useEffect(() => {
    const timer = setInterval(() => document.visibilityState === 'visible' && void status.reload(), 10_000)
    return () => clearInterval(timer)
  }, [])
  return (
    <div class="page">
      <PageHeader title="Gateway status" subtitle={`This tab's live connection: ${streamState.value}`} />
      <Loadable resource={status}>
        {(s) => (
          <>
            <div class="stats">
              <Stat label="Uptime" value={duration(s.uptime_secs)} />
              <Stat label={s.scope === 'user' ? 'Your SSE streams' : 'SSE streams'} value={s.sse_connections} tone="info" />
              <Stat label={s.scope === 'user' ? 'Your WebSockets' : 'WebSockets'} value={s.ws_connections} tone="info" />
              <Stat label={s.scope === 'user' ? 'Your streams' : 'Total streams'} value={s.total_connections} />
              {s.daily_cost !== undefined ? <Stat label="Cost today" value={usd(s.daily_cost)} /> : null}
            </div>
            <div class="grid-2">
              <section class="card card-pad" aria-label="Gateway">
                <h2>Gateway</h2>
                <dl class="kv">
                  <dt>Version</dt>
                  <dd>{s.version}</dd>
                  {s.database ? (
                    <>
                      <dt>Database</dt>
                      <dd>{s.database}</dd>
                    </>
                  ) : null}
                  <dt>LLM</dt>
                  <dd>{s.llm_backend ? `${s.llm_backend}${s.llm_model ? ` · ${s.llm_model}` : ''}` : <Badge tone="warn">not configured</Badge>}</dd>
                  <dt>Channels</dt>
                  <dd>{s.enabled_channels.join(', ')}</dd>
                  {s.isolation ? (
                    <>
                      <dt>Job isolation</dt>
                      <dd>{s.isolation}</dd>
                    </>
                  ) : null}
                </dl>
              </section>
              {s.subsystems ? (
              <section class="card card-pad" aria-label="Subsystems">
                <h2>Subsystems</h2>
                <ul class="subsystems">
                  {Object.entries(s.subsystems)
                    .sort(([a], [b]) => a.localeCompare(b))
                    .map(([name, on]) => (
                      <li key={name}>
                        <span>{name}</span>
                        <Badge tone={on ? 'good' : 'neutral'}>{on ? 'on' : 'off'}</Badge>
                      </li>
                    ))}
                </ul>
              </section>
              ) : null}
            </div>
            {s.model_usage?.length ? (
              <section class="card section" aria-label="Model usage">
                <div class="card-head">
                  <h2>Model usage</h2>
                </div>
                <div class="table-wrap">
                  <table class="table">
                    <thead>
                      <tr>
                        <th>Model</th>
                        <th class="num">Input</th>
                        <th class="num">Output</th>
                        <th class="num">Cost</th>
                      </tr>
                    </thead>
                    <tbody>
                      {s.model_usage.map((m) => (
                        <tr key={m.model}>
                          <td>{m.model}</td>
                          <td class="num">{count(m.input_tokens)}</td>
                          <td class="num">{count(m.output_tokens)}</td>
                          <td class="num">{usd(m.cost)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              </section>
            ) : null}
          </>
        )}
      </Loadable>
    </div>
  )
}
