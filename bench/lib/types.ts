/**
 * The contract between `bench/run.ts` and the scenario files. A scenario is `bench/scenarios/<name>.ts`
 * exporting `run(ctx)`; it returns rows, and the runner turns each row into a verdict.
 */
export interface ScenarioContext {
  /** Smoke profile (seconds): checks the harness works, numbers mean little. */
  quick: boolean
  /** Adds the 10,000-connection and long-burst cases. */
  full: boolean
  /** PostgreSQL for scenarios that compare dialects (`--pg` or `GATEWAY_PG_URL`). */
  pgUrl?: string
}

/**
 * One line of the results table. `baseline` and `value` are in `unit`. `goal` is a small
 * expression the runner checks, clauses joined by ` and `:
 *   `>= 0.80x`, `<= 1.3x raw` - on the ratio value/baseline (or `ratio` when given)
 *   `< 100 ms`, `>= 98 %`, `<= 25 KB` - on `value` itself, in `unit`
 * The optional fields come from A/B measurements; rows without them are judged on value/baseline.
 */
export interface BenchRow {
  scenario: string
  unit: string
  baseline?: number
  value: number
  goal?: string
  note?: string
  /** Median of the per-pair ratios value/baseline (the goal says which way is better). */
  ratio?: number
  ratioMin?: number
  ratioMax?: number
  /** Every pair's ratio, kept in the JSON results. */
  ratios?: number[]
  /** The load generator used more than 80% of a core while the server had headroom. */
  clientBound?: boolean
  /** Per-pair measurements, kept in the JSON results only. */
  detail?: unknown
  /** The row could not be measured (a route not built yet, a tool missing); `note` says why. */
  skipped?: boolean
}

export type Scenario = (ctx: ScenarioContext) => Promise<BenchRow[]>

export type Verdict = 'PASS' | 'FAIL' | 'NOISY' | 'CLIENT-BOUND' | 'SKIP' | 'INFO' | 'ERROR'
