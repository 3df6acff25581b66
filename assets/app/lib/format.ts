/** Display helpers. Everything returns plain text; rendering escapes it. */

const rtf = typeof Intl !== 'undefined' ? new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' }) : undefined

export function timeAgo(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—'
  const t = Date.parse(iso)
  if (Number.isNaN(t)) return '—'
  const s = Math.round((t - now) / 1000)
  const abs = Math.abs(s)
  if (!rtf) return new Date(t).toLocaleString()
  if (abs < 45) return rtf.format(s, 'second')
  if (abs < 2700) return rtf.format(Math.round(s / 60), 'minute')
  if (abs < 64800) return rtf.format(Math.round(s / 3600), 'hour')
  if (abs < 30 * 86400) return rtf.format(Math.round(s / 86400), 'day')
  return new Date(t).toLocaleDateString()
}

export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '—'
  const t = Date.parse(iso)
  return Number.isNaN(t) ? iso : new Date(t).toLocaleString()
}

export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—'
  const s = Math.max(0, Math.round(seconds))
  if (s < 60) return `${s}s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m}m ${s % 60}s`
  const h = Math.floor(m / 60)
  if (h < 48) return `${h}h ${m % 60}m`
  return `${Math.floor(h / 24)}d ${h % 24}h`
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`
  return `${(n / 1024 / 1024).toFixed(1)} MB`
}

export function count(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—'
  return new Intl.NumberFormat().format(n)
}

/** `"0.001234"` -> `$0.0012`; small amounts keep two significant digits. */
export function usd(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—'
  const n = typeof value === 'number' ? value : Number(value)
  if (!Number.isFinite(n)) return String(value)
  if (n === 0) return '$0'
  if (n < 0.01) return `$${n.toPrecision(2)}`
  return `$${n.toFixed(n < 10 ? 3 : 2)}`
}

/** The text of an unknown JSON value, for previews. */
export function preview(value: unknown, max = 2000): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2) ?? ''
  return text.length > max ? `${text.slice(0, max)}…` : text
}
