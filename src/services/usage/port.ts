export interface UsageRecord {
  userId: string
  model: string
  inputTokens: number
  outputTokens: number
  /** US dollars. */
  costUsd: number
  purpose: 'chat' | 'proxy' | 'job' | 'routine' | 'embedding'
  threadId?: string | undefined
}

export interface UsageTotals {
  input_tokens: number
  output_tokens: number
  /** 6-decimal string. */
  cost_usd: string
  calls: number
}

export interface ModelUsage {
  model: string
  input_tokens: number
  output_tokens: number
  cost: string
}

/**
 * The LLM usage ledger: every model call's tokens and cost, per user and model. The agent, jobs
 * and the `/v1` proxy record; the daily budget, `/api/admin/usage` and the gateway status read.
 * Default: `UsageService` over the `llm_usage` table.
 */
export interface UsagePort {
  /** Throws 429 `budget_exceeded` once the user's spend today reached the daily budget. */
  assertWithinBudget(userId: string): Promise<void>
  record(usage: UsageRecord): Promise<void>
  /** Totals for one user (or everyone) since an ISO time. */
  totals(options?: UsageFilter): Promise<UsageTotals>
  byModel(options?: UsageFilter): Promise<ModelUsage[]>
  byUser(options?: UsageFilter): Promise<Array<UsageTotals & { user_id: string }>>
  /** By user, then model. */
  byUserAndModel(options?: UsageFilter): Promise<Array<UsageTotals & { user_id: string; model: string }>>
  deleteUser(userId: string): Promise<void>
}

export interface UsageFilter {
  userId?: string
  /** ISO time. */
  since?: string
}
