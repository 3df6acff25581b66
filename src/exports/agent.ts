/**
 * `agent-gateway/agent`: the parts the default agent is built from, to reuse or build on: the
 * agent loop (no channel, store or events), tools and the built-in ones, per-message context, and
 * the LLM providers with their retry, pricing and error model.
 *
 * @example
 * ```ts
 * import { z } from 'zod'
 * import { defineTool } from 'agent-gateway/agent'
 *
 * const weather = defineTool({
 *   name: 'weather',
 *   description: 'The weather in a city',
 *   input: z.object({ city: z.string() }),
 *   requiresApproval: false,
 *   source: 'my-app',
 *   execute: async ({ city }) => `Sunny in ${city}`,
 * })
 * gateway.tools.addProvider({ name: 'weather', tools: () => [weather] })
 * ```
 * @module
 */
export { DefaultAgent, type DefaultAgentOptions } from '../agent/default-agent'
export {
  runAgentLoop,
  emptyState,
  type LoopOptions,
  type LoopResult,
  type LoopState,
  type LoopObserver,
  type ApprovalPolicy,
  type ApprovalVerdict,
} from '../agent/loop/agent-loop'
export { ContextContributors, type ContextContributor, type ContributionRequest } from '../agent/context-contributors'
export type { JobAgentRunner, JobAgentTurn, JobAgentResult, JobAgentEvent } from '../services/jobs/agent-port'
export * from '../tools/tool'
export { ToolRegistry } from '../tools/tool-registry'
export { builtinTools, type BuiltinToolsOptions } from '../tools/builtin/builtin-tools'
export { checkPublicUrl, publicAddressOnly, UnsafeUrlError, type AddressPolicy } from '../net/public-address'
export * from '../llm/messages'
export { LlmError, type LlmErrorKind, NOT_CONFIGURED_MESSAGE } from '../llm/errors'
export { PriceTable, type ModelPrice } from '../llm/pricing'
export { BaseProvider, type LlmProvider, type RetryPolicy, type StreamOptions, type UpstreamEventStream } from '../llm/provider'
export { fetchStreamRequest } from '../llm/fetch-stream-request'
export { createLlmProvider } from '../llm/create-provider'
export { OpenAIEmbeddingProvider, type EmbeddingProvider } from '../services/memory/embedding-provider'
