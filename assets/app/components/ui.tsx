import type { ComponentChildren } from 'preact'
import { Icon, type IconName } from './Icon'

export function Spinner({ label = 'Loading' }: { label?: string }) {
  return (
    <span class="spinner" role="status">
      <span class="visually-hidden">{label}</span>
    </span>
  )
}

export function Badge({ tone = 'neutral', children }: { tone?: 'neutral' | 'good' | 'warn' | 'bad' | 'info'; children: ComponentChildren }) {
  return <span class={`badge badge-${tone}`}>{children}</span>
}

/** A status word coloured by what it means. */
export function StatusBadge({ status }: { status: string }) {
  const s = status.toLowerCase()
  const tone = /fail|error|stuck|attention|suspend|revoked/.test(s)
    ? 'bad'
    : /running|progress|pending|creating|processing|queued|awaiting/.test(s)
      ? 'info'
      : /ok|complete|success|active|enabled|accepted|submitted|healthy|installed|connected/.test(s)
        ? 'good'
        : /disabled|cancel|interrupted|idle/.test(s)
          ? 'neutral'
          : 'warn'
  return <Badge tone={tone}>{status.replace(/_/g, ' ')}</Badge>
}

export function PageHeader({ title, subtitle, actions }: { title: string; subtitle?: ComponentChildren; actions?: ComponentChildren }) {
  return (
    <header class="page-header">
      <div>
        <h1>{title}</h1>
        {subtitle ? <p class="muted">{subtitle}</p> : null}
      </div>
      {actions ? <div class="page-actions">{actions}</div> : null}
    </header>
  )
}

export function EmptyState({ icon = 'dot', title, children }: { icon?: IconName; title: string; children?: ComponentChildren }) {
  return (
    <div class="empty">
      <Icon name={icon} size={28} />
      <p class="empty-title">{title}</p>
      {children ? <div class="muted">{children}</div> : null}
    </div>
  )
}

export function Stat({ label, value, tone }: { label: string; value: ComponentChildren; tone?: 'good' | 'bad' | 'info' | 'warn' }) {
  return (
    <div class={`stat${tone ? ` stat-${tone}` : ''}`}>
      <span class="stat-value">{value}</span>
      <span class="stat-label">{label}</span>
    </div>
  )
}

/** Text with every occurrence of the query's words marked (as text nodes, never HTML). */
export function Highlighted({ text, query }: { text: string; query: string }) {
  const words = query.trim().split(/\s+/).filter((w) => w.length > 1).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
  if (!words.length) return <>{text}</>
  const parts = text.split(new RegExp(`(${words.join('|')})`, 'gi'))
  return <>{parts.map((part, i) => (i % 2 === 1 ? <mark key={i}>{part}</mark> : part))}</>
}

/** Text with server-given `[start, end)` ranges marked (as text nodes, never HTML). */
export function Marked({ text, ranges }: { text: string; ranges: Array<{ start: number; end: number }> }) {
  const parts: Array<string | { mark: string }> = []
  let at = 0
  for (const r of [...ranges].sort((a, b) => a.start - b.start)) {
    const start = Math.max(at, Math.min(r.start, text.length))
    const end = Math.max(start, Math.min(r.end, text.length))
    if (start > at) parts.push(text.slice(at, start))
    if (end > start) parts.push({ mark: text.slice(start, end) })
    at = end
  }
  if (at < text.length) parts.push(text.slice(at))
  return <>{parts.map((p, i) => (typeof p === 'string' ? p : <mark key={i}>{p.mark}</mark>))}</>
}
