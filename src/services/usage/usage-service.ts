import { GatewayError } from '../../lib/errors'
import { type Clock, startOfUtcDay } from '../../lib/time'
import type { Db } from '../../store/database'
import type { ModelUsage, UsagePort, UsageRecord, UsageTotals } from './port'

/**
 * The LLM usage ledger: every call's tokens and cost per user and model. The agent and the proxy
 * record; budgets, `/api/admin/usage` and the gateway status read. Costs are summed in integer
 * micro-dollars so totals are exact.
 */
export class UsageService implements UsagePort {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    /** Optional spend per user per UTC day (`GATEWAY_DAILY_BUDGET_USD`). */
    readonly dailyBudgetUsd?: number,
  ) {}

  /**
   * Throws 429 `budget_exceeded` (with `Retry-After` until midnight UTC) once the user's spend
   * today reached the daily budget. Chat and the proxy call it before any LLM call.
   */
  async assertWithinBudget(userId: string): Promise<void> {
    if (this.dailyBudgetUsd === undefined) return
    const now = this.clock.now()
    const spent = Number((await this.totals({ userId, since: startOfUtcDay(now) })).cost_usd)
    if (spent < this.dailyBudgetUsd) return
    const retryAfter = Math.max(1, Math.ceil((Date.parse(startOfUtcDay(now)) + 86_400_000 - now) / 1000))
    throw new GatewayError(429, 'budget_exceeded', `Daily LLM budget of $${this.dailyBudgetUsd.toFixed(2)} reached ($${spent.toFixed(4)} spent today); it resets at midnight UTC`, {
      headers: { 'Retry-After': String(retryAfter) },
      openai: { type: 'insufficient_quota', code: 'budget_exceeded' },
    })
  }

  async record(r: UsageRecord): Promise<void> {
    await this.db
      .insertInto('llm_usage')
      .values({
        user_id: r.userId,
        model: r.model,
        input_tokens: Math.max(0, Math.round(r.inputTokens)),
        output_tokens: Math.max(0, Math.round(r.outputTokens)),
        cost_usd: r.costUsd.toFixed(6),
        purpose: r.purpose,
        thread_id: r.threadId ?? null,
        created_at: new Date(this.clock.now()).toISOString(),
      })
      .execute()
  }

  /** Totals for one user (or everyone) since an ISO time. */
  async totals(options: { userId?: string; since?: string } = {}): Promise<UsageTotals> {
    const rows = await this.#rows(options)
    let micros = 0
    let input = 0
    let output = 0
    for (const row of rows) {
      micros += toMicros(row.cost_usd)
      input += row.input_tokens
      output += row.output_tokens
    }
    return { input_tokens: input, output_tokens: output, cost_usd: fromMicros(micros), calls: rows.length }
  }

  /** Per-model totals since an ISO time (for the status route's `model_usage`). */
  async byModel(options: { userId?: string; since?: string } = {}): Promise<ModelUsage[]> {
    const models = new Map<string, { input: number; output: number; micros: number }>()
    for (const row of await this.#rows(options)) {
      const m = models.get(row.model) ?? { input: 0, output: 0, micros: 0 }
      m.input += row.input_tokens
      m.output += row.output_tokens
      m.micros += toMicros(row.cost_usd)
      models.set(row.model, m)
    }
    return [...models].map(([model, m]) => ({ model, input_tokens: m.input, output_tokens: m.output, cost: fromMicros(m.micros) }))
  }

  /** Per-user totals since an ISO time (for `/api/admin/usage`). */
  async byUser(options: { since?: string; userId?: string } = {}): Promise<Array<UsageTotals & { user_id: string }>> {
    const users = new Map<string, { input: number; output: number; micros: number; calls: number }>()
    for (const row of await this.#rows(options)) {
      const u = users.get(row.user_id) ?? { input: 0, output: 0, micros: 0, calls: 0 }
      u.input += row.input_tokens
      u.output += row.output_tokens
      u.micros += toMicros(row.cost_usd)
      u.calls++
      users.set(row.user_id, u)
    }
    return [...users].map(([user_id, u]) => ({ user_id, input_tokens: u.input, output_tokens: u.output, cost_usd: fromMicros(u.micros), calls: u.calls }))
  }

  /** Per user and model since an ISO time (for `/api/admin/usage`), by user then model. */
  async byUserAndModel(options: { since?: string; userId?: string } = {}): Promise<Array<UsageTotals & { user_id: string; model: string }>> {
    const groups = new Map<string, { user_id: string; model: string; input: number; output: number; micros: number; calls: number }>()
    for (const row of await this.#rows(options)) {
      const key = `${row.user_id}\u0000${row.model}`
      const g = groups.get(key) ?? { user_id: row.user_id, model: row.model, input: 0, output: 0, micros: 0, calls: 0 }
      g.input += row.input_tokens
      g.output += row.output_tokens
      g.micros += toMicros(row.cost_usd)
      g.calls++
      groups.set(key, g)
    }
    return [...groups.values()]
      .sort((a, b) => (a.user_id === b.user_id ? a.model.localeCompare(b.model) : a.user_id.localeCompare(b.user_id)))
      .map((g) => ({ user_id: g.user_id, model: g.model, input_tokens: g.input, output_tokens: g.output, cost_usd: fromMicros(g.micros), calls: g.calls }))
  }

  async deleteUser(userId: string): Promise<void> {
    await this.db.deleteFrom('llm_usage').where('user_id', '=', userId).execute()
  }

  #rows(options: { userId?: string | undefined; since?: string | undefined }) {
    let q = this.db.selectFrom('llm_usage').select(['user_id', 'model', 'input_tokens', 'output_tokens', 'cost_usd'])
    if (options.userId !== undefined) q = q.where('user_id', '=', options.userId)
    if (options.since !== undefined) q = q.where('created_at', '>=', options.since)
    return q.execute()
  }
}

const toMicros = (decimal: string): number => Math.round(Number(decimal) * 1_000_000)
const fromMicros = (micros: number): string => (micros / 1_000_000).toFixed(6)
