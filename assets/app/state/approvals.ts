import { signal } from '@preact/signals'
import { api } from '../api/index'
import type { ApprovalList } from '../api/types'

/** The pending approvals of every thread (the inbox and its badge); null until first loaded. */
export const inbox = signal<ApprovalList | null>(null)

let timer: ReturnType<typeof setTimeout> | undefined
let loading: Promise<void> | undefined

/** Reloads the pending list; bursts of approval events (several tabs, several threads) coalesce. */
export function refreshInbox(delayMs = 150): void {
  clearTimeout(timer)
  timer = setTimeout(() => void loadInbox(), delayMs)
}

export function loadInbox(): Promise<void> {
  loading ??= api.chat
    .approvals('pending')
    .then((list) => {
      inbox.value = list
    })
    // A gateway without the chat store lists none: no badge, no error on every event.
    .catch(() => undefined)
    .finally(() => {
      loading = undefined
    })
  return loading
}

/** An answered or expired approval leaves the inbox at once, before the reload confirms it. */
export function dropFromInbox(requestId: string): void {
  const list = inbox.value
  if (!list?.approvals.some((a) => a.request_id === requestId)) return
  inbox.value = { approvals: list.approvals.filter((a) => a.request_id !== requestId), pending_count: Math.max(0, list.pending_count - 1) }
}

export function clearInbox(): void {
  clearTimeout(timer)
  inbox.value = null
}
