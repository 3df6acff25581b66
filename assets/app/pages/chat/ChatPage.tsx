import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks'
import { Icon } from '../../components/Icon'
import { ErrorNotice } from '../../components/Resource'
import { Spinner } from '../../components/ui'
import type { PickedImage } from '../../lib/images'
import { type ApprovalView, mergeTurns } from '../../lib/turns'
import {
  histories, loadOlder, NEW_THREAD, newThread, openThread, sendMessage, stopTurn, threadBusy, threads, unread,
} from '../../state/chat'
import { liveTurns, resolvedApprovals } from '../../state/live-turns'
import { navigate } from '../../state/router'
import { me } from '../../state/session'
import { Composer, draft } from './Composer'
import { ThreadList, threadTitle } from './ThreadList'
import { Turn } from './Turn'
import { narrow } from '../../lib/media'
import { AuthPrompt } from './AuthPrompt'

const STARTERS = ['What can you do?', 'Summarise my notes from this week', 'Plan a routine that checks my inbox every morning']
/** How close to the top of the conversation (px) the next older page starts loading. */
const NEAR_TOP_PX = 200

export function ChatPage({ threadId }: { threadId: string }) {
  const [showThreads, setShowThreads] = useState(false)
  const scroller = useRef<HTMLDivElement>(null)
  const top = useRef<HTMLDivElement>(null)
  const pinned = useRef(true)
  const heightBeforeOlder = useRef<number | null>(null)
  const [announce, setAnnounce] = useState('')

  useEffect(() => {
    if (!showThreads) return
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setShowThreads(false)
    addEventListener('keydown', onKey)
    return () => removeEventListener('keydown', onKey)
  }, [showThreads])

  useEffect(() => {
    openThread(threadId)
    pinned.current = true
    setShowThreads(false)
  }, [threadId])

  // Opening the tab again counts as reading the open thread.
  useEffect(() => {
    const onVisible = () => document.visibilityState === 'visible' && unread.value[threadId] && openThread(threadId)
    document.addEventListener('visibilitychange', onVisible)
    return () => document.removeEventListener('visibilitychange', onVisible)
  }, [threadId])

  const history = threadId ? histories.value[threadId] : undefined
  const live = liveTurns.value[threadId || NEW_THREAD] ?? []
  const { turns } = useMemo(() => mergeTurns(history?.turns ?? [], live), [history?.turns, live])
  const resolved = resolvedApprovals.value
  // The stored pending approval (after a reload) shows unless the live turns already show it.
  const pending = history?.pendingApproval
  const pendingCard: ApprovalView | undefined =
    pending && !turns.some((t) => t.approvals.some((a) => a.request_id === pending.request_id))
      ? { ...pending, allow_always: pending.allow_always ?? true, thread_id: threadId, ...(resolved[pending.request_id] ? { resolved: resolved[pending.request_id] } : {}) }
      : undefined
  const display = pendingCard && turns.length
    ? [...turns.slice(0, -1), { ...turns[turns.length - 1]!, approvals: [...turns[turns.length - 1]!.approvals, pendingCard] }]
    : turns
  const busy = threadBusy(threadId || NEW_THREAD)
  const lastDone = display.at(-1)?.status
  useEffect(() => {
    if (lastDone === 'done') setAnnounce('Answer complete')
  }, [lastDone, display.length])

  // Stay at the bottom while new text arrives, unless the reader scrolled up.
  useLayoutEffect(() => {
    const el = scroller.current
    if (!el) return
    if (heightBeforeOlder.current !== null) {
      el.scrollTop += el.scrollHeight - heightBeforeOlder.current
      heightBeforeOlder.current = null
    } else if (pinned.current) el.scrollTop = el.scrollHeight
  })

  // Older pages load when the top of the conversation comes into view.
  useEffect(() => {
    const sentinel = top.current
    const root = scroller.current
    if (!sentinel || !root || !threadId) return
    const observer = new IntersectionObserver(
      () => {
        // The entry was measured when the observer last looked, which on a busy machine can be
        // before the first page rendered (the sentinel was in view of an empty list). What counts
        // is where it is now.
        const h = histories.value[threadId]
        const nearTop = sentinel.getBoundingClientRect().bottom >= root.getBoundingClientRect().top - NEAR_TOP_PX
        if (nearTop && h?.hasMore && !h.loadingOlder && root.scrollHeight > root.clientHeight) {
          heightBeforeOlder.current = root.scrollHeight
          void loadOlder(threadId)
        }
      },
      { root, rootMargin: `${NEAR_TOP_PX}px 0px 0px 0px` },
    )
    observer.observe(sentinel)
    return () => observer.disconnect()
  }, [threadId, history?.hasMore])

  const startNew = async () => {
    const id = await newThread()
    if (id !== undefined) navigate(id ? `/chat/${encodeURIComponent(id)}` : '/chat')
  }

  const send = async (text: string, images: PickedImage[], files: File[]): Promise<boolean> => {
    pinned.current = true
    let target = threadId
    if (!target) {
      const created = await newThread()
      if (created === undefined) return false
      target = created
      if (target) navigate(`/chat/${encodeURIComponent(target)}`, { replace: true })
    }
    const sentTo = await sendMessage(target, text, images, files)
    if (sentTo && !target) navigate(`/chat/${encodeURIComponent(sentTo)}`, { replace: true })
    return true
  }

  const list = threads.value
  const info = list?.assistant_thread?.id === threadId ? list.assistant_thread : list?.threads.find((t) => t.id === threadId)
  const firstInput = display.find((t) => t.userInput)?.userInput
  const title = threadId ? threadTitle(info ?? undefined, firstInput ? firstInput.slice(0, 80) : 'Conversation') : 'New conversation'

  return (
    <div class={`chat${showThreads ? ' show-threads' : ''}`}>
      <ThreadList current={threadId} onNew={() => void startNew()} inert={narrow.value && !showThreads} />
      <section class="conversation" aria-label={title}>
        <header class="conversation-head">
          <button type="button" class="btn-icon threads-toggle" aria-label="Show conversations" aria-expanded={showThreads} onClick={() => setShowThreads(!showThreads)}>
            <Icon name="chat" />
          </button>
          <h1 class="conversation-title">{title}</h1>
          {busy ? (
            <span class="live-dot" title="The agent is working">
              <span class="visually-hidden">The agent is working</span>
            </span>
          ) : null}
        </header>
        <div
          class="messages"
          ref={scroller}
          onScroll={(e) => {
            const el = e.currentTarget as HTMLDivElement
            pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80
          }}
          role="log"
          aria-label="Messages"
        >
          <div ref={top} class="history-top">
            {history?.loadingOlder ? <Spinner label="Loading older messages" /> : history?.hasMore ? (
              <button type="button" class="btn btn-ghost btn-small" onClick={() => {
                heightBeforeOlder.current = scroller.current?.scrollHeight ?? null
                void loadOlder(threadId)
              }}>
                Load older messages
              </button>
            ) : null}
          </div>
          {history?.error && !history.error.unavailable ? <ErrorNotice error={history.error} /> : null}
          {history?.loading && !history.turns.length && !live.length ? (
            <div class="loading-block">
              <Spinner label="Loading conversation" />
            </div>
          ) : null}
          {!display.length && !history?.loading ? (
            <div class="welcome">
              <p class="welcome-title">Hello{me.value?.display_name ? `, ${me.value.display_name}` : ''}.</p>
              <p class="muted">Ask anything. The agent can use tools, remember things and run jobs for you.</p>
              <div class="suggestions">
                {STARTERS.map((s) => (
                  <button key={s} type="button" class="chip" onClick={() => (draft.value = s)}>
                    {s}
                  </button>
                ))}
              </div>
            </div>
          ) : null}
          {display.map((turn, i) => (
            <Turn
              key={turn.key} turn={turn} threadId={threadId} last={i === display.length - 1} onSuggestion={(s) => (draft.value = s)}
              onRetry={busy ? undefined : (text) => void send(text, [], [])}
            />
          ))}
        </div>
        <p class="visually-hidden" aria-live="polite">
          {announce}
        </p>
        <Composer busy={busy} onSend={send} onStop={() => threadId && void stopTurn(threadId)} />
      </section>
      <AuthPrompt />
    </div>
  )
}
