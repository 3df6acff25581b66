import { Icon } from '../../components/Icon'
import { Spinner } from '../../components/ui'
import type { ThreadInfo } from '../../api/types'
import { timeAgo } from '../../lib/format'
import { threads, threadsError, unread } from '../../state/chat'
import { liveTurns } from '../../state/live-turns'

export const threadTitle = (t: ThreadInfo | undefined, fallback = 'New conversation'): string =>
  t?.title?.trim() || (t?.thread_type === 'assistant' ? 'Assistant' : fallback)

function ThreadLink({ thread, current }: { thread: ThreadInfo; current: string }) {
  const count = unread.value[thread.id] ?? 0
  const active = thread.id === current
  return (
    <li>
      <a href={`#/chat/${encodeURIComponent(thread.id)}`} class={`thread${active ? ' active' : ''}${count ? ' has-unread' : ''}`} aria-current={active ? 'page' : undefined}>
        <span class="thread-title">{threadTitle(thread, 'Untitled conversation')}</span>
        <span class="thread-meta">
          {thread.state === 'awaiting_approval' ? <span class="tag tag-warn">needs approval</span> : thread.state === 'processing' ? <span class="tag tag-info">working</span> : null}
          {thread.channel && thread.channel !== 'gateway' ? <span class="tag">{thread.channel}</span> : null}
          <time dateTime={thread.updated_at}>{timeAgo(thread.updated_at)}</time>
        </span>
        {count ? (
          <span class="count" aria-label={`${count} unread`}>
            {count}
          </span>
        ) : null}
      </a>
    </li>
  )
}

export function ThreadList({ current, onNew, inert }: { current: string; onNew: () => void; inert?: boolean }) {
  const list = threads.value
  const error = threadsError.value
  return (
    <aside class="threads" aria-label="Conversations" inert={inert}>
      <div class="threads-head">
        <h2>Conversations</h2>
        <button type="button" class="btn btn-primary btn-small" onClick={onNew}>
          <Icon name="plus" size={16} /> New
        </button>
      </div>
      {error ? (
        error.unavailable ? (
          <SessionThreads current={current} />
        ) : (
          <p class="muted pad">Could not load conversations: {error.message}</p>
        )
      ) : !list ? (
        <div class="loading-block">
          <Spinner />
        </div>
      ) : (
        <ul class="thread-list">
          {list.assistant_thread ? <ThreadLink thread={list.assistant_thread} current={current} /> : null}
          {list.threads.filter((t) => t.id !== list.assistant_thread?.id).map((t) => (
            <ThreadLink key={t.id} thread={t} current={current} />
          ))}
          {!list.assistant_thread && !list.threads.length ? <li class="muted pad">No conversations yet.</li> : null}
        </ul>
      )}
    </aside>
  )
}

/** Without stored history, the conversations this tab has seen are still listed. */
function SessionThreads({ current }: { current: string }) {
  const seen = Object.entries(liveTurns.value).filter(([id]) => id)
  return (
    <>
      <p class="muted small pad">Conversation history is not enabled on this gateway; this list holds this tab's conversations.</p>
      <ul class="thread-list">
        {seen.map(([id, turns]) => (
          <ThreadLink
            key={id}
            current={current}
            thread={{ id, state: 'idle', turn_count: turns.length, created_at: turns[0]?.startedAt ?? '', updated_at: turns.at(-1)?.startedAt ?? '', title: turns.find((t) => t.userInput)?.userInput?.slice(0, 100), thread_type: 'thread', channel: 'gateway' }}
          />
        ))}
      </ul>
    </>
  )
}
