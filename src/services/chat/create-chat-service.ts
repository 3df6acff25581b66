import type { Store } from '../../store/database'
import type { Clock } from '../../lib/time'
import type { UserQuotas } from '../../config/gateway-config'
import { ChatRepository } from './chat-repository'
import { ChatTurnStore } from './chat-turn-store'
import { LiveText } from './live-text'
import type { ThreadsPort, TurnStore } from './port'
import { ThreadService } from './thread-service'

/**
 * The default chat subsystem over the chat tables: threads and history for the routes, and the
 * turn store the default agent writes to. They share the text of running turns, so a history
 * page loaded mid-turn shows what was streamed so far.
 */
export function createChatService(store: Store, clock: Clock, quotas?: UserQuotas): { threads: ThreadsPort; turns: TurnStore; deleteUser: (userId: string) => Promise<void> } {
  const repo = new ChatRepository(store.db)
  const live = new LiveText()
  return {
    threads: new ThreadService(repo, clock, live, store.writes, quotas),
    turns: new ChatTurnStore(repo, live),
    deleteUser: (userId) => repo.deleteUser(userId),
  }
}
