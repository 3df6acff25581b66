import { api } from '../../api/index'
import type { UsageReport } from '../../api/types'
import { ErrorNotice, Loadable, useResource } from '../../components/Resource'
import { EmptyState, PageHeader, Stat } from '../../components/ui'
import { count, usd } from '../../lib/format'
import { navigate, route } from '../../state/router'

type Period = 'day' | 'week' | 'month'

/** LLM usage per user, and per user and model, over a period. */
export function UsagePage() {
  const period = (route.value.query.get('period') as Period | null) ?? 'week'
  const usage = useResource(() => api.admin.usage(period), [period])
  const rows = usage.data?.usage ?? []
  const total = rows.reduce(
    (acc, r) => ({ calls: acc.calls + r.call_count, input: acc.input + r.input_tokens, output: acc.output + r.output_tokens, cost: acc.cost + Number(r.total_cost) }),
    { calls: 0, input: 0, output: 0, cost: 0 },
  )
  return (
    <div class="page">
      <PageHeader
        title="Usage"
        subtitle="Tokens and cost of the LLM calls each user made."
        actions={
          <div class="field">
            <label class="visually-hidden" for="usage-period">Period</label>
            <select id="usage-period" value={period} onChange={(e) => navigate(`/admin/usage?period=${(e.target as HTMLSelectElement).value}`)}>
              <option value="day">Last 24 hours</option>
              <option value="week">Last 7 days</option>
              <option value="month">Last 30 days</option>
            </select>
          </div>
        }
      />
      {usage.error ? (
        <ErrorNotice error={usage.error} retry={() => void usage.reload()} />
      ) : (
        <>
          <div class="stats">
            <Stat label="LLM calls" value={count(total.calls)} />
            <Stat label="Input tokens" value={count(total.input)} />
            <Stat label="Output tokens" value={count(total.output)} />
            <Stat label="Cost" value={usd(total.cost)} tone="info" />
          </div>
          <Loadable resource={usage}>
            {(data) =>
              rows.length ? (
                <>
                  {data.users?.length ? <UsageTable title="By user" rows={data.users} /> : null}
                  <UsageTable title="By user and model" rows={rows} withModel />
                </>
              ) : (
                <div class="card">
                  <EmptyState icon="usage" title="No usage in this period" />
                </div>
              )
            }
          </Loadable>
        </>
      )}
    </div>
  )
}

/** A row per user and model, or per user (no model, with the display name). */
type Row = UsageReport['usage'][number] | UsageReport['users'][number]

function UsageTable({ title, rows, withModel }: { title: string; rows: Row[]; withModel?: boolean }) {
  return (
    <section class="card section" aria-label={title}>
      <div class="card-head">
        <h2>{title}</h2>
      </div>
      <div class="table-wrap">
        <table class="table">
          <thead>
            <tr>
              <th>User</th>
              {withModel ? <th>Model</th> : null}
              <th class="num">Calls</th>
              <th class="num">Input</th>
              <th class="num">Output</th>
              <th class="num">Cost</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={`${r.user_id}-${'model' in r ? r.model : ''}-${i}`}>
                <td>
                  {'display_name' in r && r.display_name ? `${r.display_name} ` : ''}
                  <code class="muted">{r.user_id}</code>
                </td>
                {withModel ? <td class="muted">{'model' in r ? r.model : ''}</td> : null}
                <td class="num">{count(r.call_count)}</td>
                <td class="num">{count(r.input_tokens)}</td>
                <td class="num">{count(r.output_tokens)}</td>
                <td class="num">{usd(r.total_cost)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  )
}
