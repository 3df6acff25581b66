import type { Child } from './processes'
import { BENCH_TOKEN } from './shared'

/** `fetch` to a bench server with the owner's token. */
export async function call(server: Child, path: string, init: { method?: string; json?: unknown } = {}): Promise<{ status: number; text: string }> {
  const res = await fetch(`http://127.0.0.1:${server.info.port}${path}`, {
    method: init.method ?? (init.json === undefined ? 'GET' : 'POST'),
    headers: { authorization: `Bearer ${BENCH_TOKEN}`, ...(init.json === undefined ? {} : { 'content-type': 'application/json' }) },
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  })
  return { status: res.status, text: await res.text() }
}

/** Sends a chat message to the gateway's agent; the status says whether the agent path exists. */
export async function sendChat(gateway: Child, threadId: string, content: string): Promise<{ status: number; text: string }> {
  return call(gateway, '/api/chat/send', { json: { content, thread_id: threadId } })
}

/** Creates an empty thread owned by the bench user (a chat message names an existing thread or none). */
export async function newThread(gateway: Child): Promise<string> {
  const res = await call(gateway, '/api/chat/thread/new', { method: 'POST' })
  if (res.status !== 200) throw new Error(unavailable('POST /api/chat/thread/new', res))
  return (JSON.parse(res.text) as { id: string }).id
}

/** A short reason for a row that cannot run yet. */
export const unavailable = (what: string, res: { status: number; text: string }): string =>
  `${what} answered ${res.status} (${res.text.slice(0, 80).replace(/\s+/g, ' ')}): not available on this branch yet`
