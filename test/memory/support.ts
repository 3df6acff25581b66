import { createHash } from 'node:crypto'
import type { Principal } from '../../src/ports/principal'
import { testGateway } from '../support/gateway'

export const MEMBER_TOKEN = 'member-token-for-memory-tests-0001'
export const MEMBER_ID = 'bob'

type TestGateway = Awaited<ReturnType<typeof testGateway>>

/** Lets a second principal in (the users subsystem is not needed for it): `MEMBER_TOKEN` is bob. */
export function addMember(gateway: TestGateway): void {
  const hash = createHash('sha256').update(MEMBER_TOKEN).digest('hex')
  const bob: Principal = { userId: MEMBER_ID, role: 'member', tokenId: 'token-bob', displayName: 'Bob' }
  gateway.auth.resolver = { resolve: async (tokenHash) => (tokenHash === hash ? bob : null) }
}

/** JSON of a response, asserting its status first (the body is in the failure message). */
export async function expectJson<T = any>(res: Response | Promise<Response>, status = 200): Promise<T> {
  const r = await res
  const text = await r.text()
  if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${text}`)
  return JSON.parse(text) as T
}

export const write = (gateway: TestGateway, path: string, content: string, extra: Record<string, unknown> = {}, token?: string) =>
  gateway.request('/api/memory/write', { method: 'POST', json: { path, content, ...extra }, ...(token ? { token } : {}) })

export const search = (gateway: TestGateway, body: Record<string, unknown>, token?: string) =>
  gateway.request('/api/memory/search', { method: 'POST', json: body, ...(token ? { token } : {}) })

export const q = (path: string) => encodeURIComponent(path)
