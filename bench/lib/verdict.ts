import type { BenchRow, Verdict } from './types'

/** Spread of the pair ratios, as a fraction of their median, past which a straddling row is NOISY (±15%). */
export const NOISE_SPREAD = 0.3

interface Clause {
  op: '<' | '<=' | '>' | '>='
  limit: number
  /** `x`: the ratio to the baseline; anything else: the row's value in its unit. */
  onRatio: boolean
}

/** Parses `>= 0.80x raw and < 100 ms` into clauses; `undefined` when it is not a checkable goal. */
export function parseGoal(goal: string | undefined): Clause[] | undefined {
  if (!goal) return undefined
  const clauses: Clause[] = []
  for (const part of goal.split(/\s+and\s+/)) {
    const m = /^\s*(<=|>=|<|>|≤|≥)\s*([0-9]*\.?[0-9]+)\s*(x\b)?/.exec(part)
    if (!m) return undefined
    const op = ({ '≤': '<=', '≥': '>=' } as Record<string, Clause['op']>)[m[1]!] ?? (m[1] as Clause['op'])
    clauses.push({ op, limit: Number(m[2]), onRatio: m[3] !== undefined })
  }
  return clauses
}

const holds = (op: Clause['op'], v: number, limit: number): boolean =>
  op === '<' ? v < limit : op === '<=' ? v <= limit : op === '>' ? v > limit : v >= limit

export const ratioOf = (row: BenchRow): number | undefined =>
  row.ratio ?? (row.baseline !== undefined && row.baseline !== 0 ? row.value / row.baseline : undefined)

/**
 * PASS / FAIL on the goal. A row whose pair ratios spread wider than ±15% and fall on both sides
 * of a ratio goal is NOISY: this run cannot tell. A spread that stays on one side still decides.
 * A row that misses only absolute goals its baseline misses too (p99 < 100 ms while the raw
 * server itself is at 300 ms on a loaded machine) is NOISY as well.
 * CLIENT-BOUND means the load generator, not the server, set the pace, so the ratio is not the
 * server's.
 */
export function verdictOf(row: BenchRow): Verdict {
  if (row.skipped) return 'SKIP'
  if (!Number.isFinite(row.value)) return 'ERROR'
  const clauses = parseGoal(row.goal)
  if (!clauses) return 'INFO'
  const ratio = ratioOf(row)
  let pass = true
  let straddles = false
  let machineBound = false
  for (const c of clauses) {
    if (c.onRatio) {
      if (ratio === undefined || !Number.isFinite(ratio)) return 'ERROR'
      if (!holds(c.op, ratio, c.limit)) pass = false
      const { ratioMin: lo, ratioMax: hi } = row
      if (lo !== undefined && hi !== undefined && (hi - lo) / Math.abs(ratio || 1) > NOISE_SPREAD) {
        if (holds(c.op, lo, c.limit) !== holds(c.op, hi, c.limit)) straddles = true
      }
    } else if (!holds(c.op, row.value, c.limit)) {
      pass = false
      // The baseline misses the absolute goal too: this machine, not the gateway, is the limit.
      if (row.baseline !== undefined && !holds(c.op, row.baseline, c.limit)) machineBound = true
    }
  }
  if (row.clientBound) return 'CLIENT-BOUND'
  if (straddles || (!pass && machineBound && onlyAbsoluteFailures(clauses, row, ratio))) return 'NOISY'
  return pass ? 'PASS' : 'FAIL'
}

/** Every failing clause is an absolute one the baseline fails as well (ratio clauses hold). */
function onlyAbsoluteFailures(clauses: Clause[], row: BenchRow, ratio: number | undefined): boolean {
  return clauses.every((c) =>
    c.onRatio
      ? ratio !== undefined && holds(c.op, ratio, c.limit)
      : holds(c.op, row.value, c.limit) || (row.baseline !== undefined && !holds(c.op, row.baseline, c.limit)),
  )
}

export function median(xs: readonly number[]): number {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b)
  if (s.length === 0) return Number.NaN
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

/** Folds A/B pairs into a row's numbers: medians of each side and of the per-pair ratios. */
export function pairStats(pairs: ReadonlyArray<{ baseline: number; value: number }>): {
  baseline: number
  value: number
  ratio: number
  ratioMin: number
  ratioMax: number
  ratios: number[]
} {
  const ratios = pairs.map((p) => p.value / p.baseline).filter(Number.isFinite)
  return {
    baseline: median(pairs.map((p) => p.baseline)),
    value: median(pairs.map((p) => p.value)),
    ratio: median(ratios),
    ratioMin: Math.min(...ratios),
    ratioMax: Math.max(...ratios),
    ratios,
  }
}
