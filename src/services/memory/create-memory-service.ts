import { appEvent } from '../../protocol/events'
import type { ServiceContext } from '../service-context'
import type { UsagePort } from '../usage/port'
import { OpenAIEmbeddingProvider } from './embedding-provider'
import { MemoryService } from './memory-service'

/**
 * The default memory workspace (needs a database): full-text search always, embeddings when
 * `EMBEDDING_MODEL` is set (recorded in whichever usage ledger is wired), `memory_changed` events.
 */
export function createMemoryService(ctx: ServiceContext, siblings: { usage: () => UsagePort | undefined }): MemoryService | undefined {
  const store = ctx.store
  if (!store) return undefined
  const embeddings = OpenAIEmbeddingProvider.fromConfig(ctx.config.llm)
  const memory = new MemoryService({
    db: store.db,
    dialect: store.dialect,
    clock: ctx.clock,
    embeddings,
    limits: { maxDocumentsPerUser: ctx.config.limits.quotas.memoryDocumentsPerUser },
    onChange: (userId, change) => ctx.hub.publish(userId, appEvent('memory_changed', change)).then(() => undefined),
    onUsage: async (userId, tokens) =>
      siblings.usage()?.record({ userId, model: embeddings?.model ?? 'embedding', inputTokens: tokens, outputTokens: 0, costUsd: 0, purpose: 'embedding' }),
  })
  ctx.onDeleteUser((userId) => memory.deleteUser(userId))
  ctx.onClose(() => memory.close())
  return memory
}
