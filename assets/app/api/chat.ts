import { get, post, seg } from './client'
import type { ActionResponse, ApprovalAccepted, CancelResponse, HistoryResponse, ImageAttachment, SendMessageAccepted, StreamTicket, ThreadInfo, ThreadList, WhoAmI } from './types'
import { request } from './client'

export const auth = {
  /** Validates a token without signing the tab out when it is wrong. */
  whoami: (token: string) => request<WhoAmI>('GET', '/api/auth/whoami', { headers: { Authorization: `Bearer ${token}` }, probe: true }),
  streamTicket: (path: string) => post<StreamTicket>('/api/auth/stream-ticket', { path }),
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
  cancel: (threadId: string) => post<CancelResponse>('/api/chat/cancel', { thread_id: threadId }),
  authToken: (extensionName: string, token: string) => post<ActionResponse>('/api/chat/auth-token', { extension_name: extensionName, token }),
  authCancel: (extensionName: string) => post<ActionResponse>('/api/chat/auth-cancel', { extension_name: extensionName }),
}

export const threadPath = (id: string) => `/chat/${seg(id)}`
