import type { BenchRow, Verdict } from './types'
import { ratioOf } from './verdict'

/** 3 significant digits, no exponent; thousands get no decimals. */
export function fmt(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return '-'
  const a = Math.abs(x)
  if (a >= 1000) return Math.round(x).toLocaleString('en-US')
  if (a >= 100) return x.toFixed(0)
  if (a >= 10) return x.toFixed(1)
  if (a >= 1) return x.toFixed(2)
  return x.toPrecision(2)
}

export function ratioCell(row: BenchRow): string {
  const r = ratioOf(row)
  if (r === undefined) return '-'
  const range = row.ratioMin !== undefined && row.ratioMax !== undefined && row.ratios && row.ratios.length > 1
    ? ` (${row.ratioMin.toFixed(2)}-${row.ratioMax.toFixed(2)})`
    : ''
  return `${r.toFixed(2)}x${range}`
}

export type Judged = BenchRow & { verdict: Verdict }

/** A Markdown table: readable in a terminal and pasteable into the README. */
export function table(rows: readonly Judged[], withNotes = true): string {
  const head = ['scenario', 'unit', 'baseline', 'gateway', 'ratio (min-max)', 'goal', 'verdict', ...(withNotes ? ['note'] : [])]
  const body = rows.map((r) => [
    r.scenario,
    r.unit,
    fmt(r.baseline),
    fmt(r.value),
    ratioCell(r),
    r.goal ?? '',
    r.verdict,
    ...(withNotes ? [r.note ?? ''] : []),
  ])
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)))
  const numeric = new Set([2, 3, 4])
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (numeric.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`
  const rule = `|${widths.map((w, i) => (numeric.has(i) ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`
  return [line(head), rule, ...body.map(line)].join('\n')
}
