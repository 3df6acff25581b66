import type { Usage } from './messages'

/** US dollars per million tokens. */
export interface ModelPrice {
  input: number
  output: number
}

/**
 * List prices (USD per 1M tokens, input/output) of common hosted models, matched by the longest
 * prefix of the model name (provider prefixes such as `openai/` are ignored). Prices change:
 * override or add models with `config.llm.prices`. Unknown and local models cost 0.
 */
const LIST_PRICES: Array<[prefix: string, input: number, output: number]> = [
  ['gpt-4o-mini', 0.15, 0.6],
  ['gpt-4o', 2.5, 10],
  ['gpt-4.1-nano', 0.1, 0.4],
  ['gpt-4.1-mini', 0.4, 1.6],
  ['gpt-4.1', 2, 8],
  ['gpt-5-nano', 0.05, 0.4],
  ['gpt-5-mini', 0.25, 2],
  ['gpt-5', 1.25, 10],
  ['gpt-4-turbo', 10, 30],
  ['gpt-3.5-turbo', 0.5, 1.5],
  ['o4-mini', 1.1, 4.4],
  ['o3-mini', 1.1, 4.4],
  ['o3', 2, 8],
  ['o1', 15, 60],
  ['claude-3-haiku', 0.25, 1.25],
  ['claude-3-5-haiku', 0.8, 4],
  ['claude-haiku-4', 1, 5],
  ['claude-3-5-sonnet', 3, 15],
  ['claude-3-7-sonnet', 3, 15],
  ['claude-sonnet-4', 3, 15],
  ['claude-opus-4', 15, 75],
  ['claude-opus-4-5', 5, 25],
  ['claude-3-opus', 15, 75],
  ['deepseek-chat', 0.27, 1.1],
  ['deepseek-reasoner', 0.55, 2.19],
  ['mistral-large', 2, 6],
  ['mistral-small', 0.2, 0.6],
]

export class PriceTable {
  readonly #overrides: Map<string, ModelPrice>

  constructor(
    overrides: Record<string, ModelPrice> = {},
    /** Local backends (Ollama) cost nothing whatever the model is called. */
    private readonly free = false,
  ) {
    this.#overrides = new Map(Object.entries(overrides).map(([k, v]) => [k.toLowerCase(), v]))
  }

  price(model: string): ModelPrice | undefined {
    const name = model.toLowerCase()
    const exact = this.#overrides.get(name)
    if (exact) return exact
    if (this.free) return undefined
    const bare = name.includes('/') ? name.slice(name.lastIndexOf('/') + 1) : name
    let best: [string, number, number] | undefined
    for (const entry of LIST_PRICES) if (bare.startsWith(entry[0]) && (!best || entry[0].length > best[0].length)) best = entry
    return best ? { input: best[1], output: best[2] } : undefined
  }

  /** The cost of one call in US dollars (0 for unknown models). */
  cost(model: string, usage: Pick<Usage, 'inputTokens' | 'outputTokens'>): number {
    const p = this.price(model)
    if (!p) return 0
    return (usage.inputTokens * p.input + usage.outputTokens * p.output) / 1_000_000
  }
}
