import type { Generated } from 'kysely'

/** One LLM call's tokens and cost, for budgets, `/api/admin/usage` and the status totals. */
export interface LlmUsageTable {
  id: Generated<number>
  user_id: string
  model: string
  input_tokens: number
  output_tokens: number
  /** US dollars, as a decimal string with 6 places (exact sums through the service). */
  cost_usd: string
  /** `chat`, `proxy`, `job`, `routine`, `embedding`. */
  purpose: string
  thread_id: string | null
  created_at: string
}

export interface UsageTables {
  llm_usage: LlmUsageTable
}
