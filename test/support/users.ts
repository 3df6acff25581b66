import type { testGateway } from './gateway'

type TestGw = Awaited<ReturnType<typeof testGateway>>

export interface TestUser {
  id: string
  token: string
  tokenId: string
}

/** Creates a user through the admin API (as the owner) and returns its id and first token. */
export async function createUser(gw: TestGw, body: { display_name?: string; role?: 'admin' | 'member'; email?: string } = {}): Promise<TestUser> {
  const res = await gw.request('/api/admin/users', { method: 'POST', json: { display_name: 'Test User', ...body } })
  if (res.status !== 201) throw new Error(`create user failed: ${res.status} ${await res.text()}`)
  const user = (await res.json()) as { id: string; token: string; token_id: string }
  return { id: user.id, token: user.token, tokenId: user.token_id }
}

/** A clock the test moves by hand (`clock.advance(ms)`). */
export function manualClock(start = Date.now()) {
  let now = start
  return {
    now: () => now,
    advance(ms: number) {
      now += ms
    },
  }
}
