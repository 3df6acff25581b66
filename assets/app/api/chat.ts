import { del, get, post, seg } from './client'
import type { ActionResponse, ApprovalAccepted, ApprovalList, ApprovalListStatus, CancelResponse, HistoryResponse, ImageAttachment, SendMessageAccepted, StreamTicket, ThreadInfo, ThreadList, WhoAmI, SignInMethods, CurrentSession, SessionRevoked, SessionList } from './types'
import { request } from './client'

export const auth = {
  /** Validates a token without signing the tab out when it is wrong. */
  whoami: (token: string) => request<WhoAmI>('GET', '/api/auth/whoami', { headers: { Authorization: `Bearer ${token}` }, probe: true }),
  streamTicket: (path: string) => post<StreamTicket>('/api/auth/stream-ticket', { path }),
  methods: () => request<SignInMethods>('GET', '/api/auth/methods', { probe: true }),
  /** The cookie's session (or one a trusted proxy opens); 401 `no_session` without one. */
  session: () => request<CurrentSession>('GET', '/api/auth/session', { probe: true }),
  /** Paste once: trades the bearer token for a cookie session. */
  openSession: (token: string) => request<CurrentSession>('POST', '/api/auth/session', { headers: { Authorization: `Bearer ${token}` }, body: {}, probe: true }),
  signOut: () => request<SessionRevoked>('DELETE', '/api/auth/session', { probe: true }),
  sessions: () => get<SessionList>('/api/auth/sessions'),
  revokeSession: (id: string) => del<SessionRevoked>(`/api/auth/sessions/${seg(id)}`),
}

export const chat = {
  threads: () => get<ThreadList>('/api/chat/threads'),
  newThread: () => post<ThreadInfo>('/api/chat/thread/new'),
  history: (threadId: string, page: { before?: string | null | undefined; cursor?: string | null | undefined; limit?: number } = {}) =>
    get<HistoryResponse>('/api/chat/history', { thread_id: threadId, limit: page.limit ?? 20, before: page.before, cursor: page.cursor }),
  send: (content: string, threadId: string | undefined, images: ImageAttachment[] = []) =>
    post<SendMessageAccepted>('/api/chat/send', {
      content,
      ...(threadId ? { thread_id: threadId } : {}),
      ...(images.length ? { images } : {}),
      timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    }),
  /** A message with files (documents and images) as multipart; the gateway sniffs and reads them. */
  sendWithFiles: (content: string, threadId: string | undefined, files: File[]) => {
    const form = new FormData()
    form.set('content', content)
    if (threadId) form.set('thread_id', threadId)
    form.set('timezone', Intl.DateTimeFormat().resolvedOptions().timeZone)
    for (const file of files) form.append('file', file, file.name)
    return request<SendMessageAccepted>('POST', '/api/chat/send', { form })
  },
  approve: (requestId: string, action: 'approve' | 'deny' | 'always', threadId?: string) =>
    post<ApprovalAccepted>('/api/chat/approval', { request_id: requestId, action, ...(threadId ? { thread_id: threadId } : {}) }),
  /** The caller's approvals in every thread, newest first, with how many wait now. */
  approvals: (status: ApprovalListStatus = 'pending') => get<ApprovalList>('/api/approvals', { status, limit: 100 }),
  cancel: (threadId: string) => post<CancelResponse>('/api/chat/cancel', { thread_id: threadId }),
  authToken: (extensionName: string, token: string) => post<ActionResponse>('/api/chat/auth-token', { extension_name: extensionName, token }),
  authCancel: (extensionName: string) => post<ActionResponse>('/api/chat/auth-cancel', { extension_name: extensionName }),
}

export const threadPath = (id: string) => `/chat/${seg(id)}`
