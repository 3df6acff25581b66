import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHash } from 'node:crypto'
import { Authenticator } from '../../src/auth/authenticator'
import type { Authenticated } from '../../src/ports/principal'
import { constantTimeEqual } from '../../src/lib/crypto'
import { startTestServer, TEST_TOKEN, type TestServer } from '../support/gateway'

/** A digest that counts which of its bytes were read. */
function counting(bytes: Uint8Array): { view: Uint8Array; read: Set<number> } {
  const read = new Set<number>()
  const view = new Proxy(bytes, {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^\d+$/.test(key)) read.add(Number(key))
      const value = Reflect.get(target, key, target) as unknown
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : (value ?? Reflect.get(target, key, receiver))
    },
  })
  return { view, read }
}

/** security-bar.md 4: the token check leaks neither where a token differs nor its length. */
describe('token comparison timing', () => {
  it('compares fixed-length SHA-256 digests, reading every byte whatever the first difference', async () => {
    const auth = await Authenticator.create({ ownerToken: TEST_TOKEN, ownerId: 'owner' })
    const owner = (await auth.digest(TEST_TOKEN))!
    for (const presented of ['x', `${TEST_TOKEN.slice(0, -1)}X`, `X${TEST_TOKEN.slice(1)}`, 'y'.repeat(500)]) {
      const digest = (await auth.digest(presented))!
      expect(digest.length).toBe(32)
      const a = counting(digest)
      expect(constantTimeEqual(a.view, owner)).toBe(false)
      expect(a.read.size).toBe(32)
    }
    expect(await auth.authenticate(TEST_TOKEN)).toMatchObject({ userId: 'owner' })
    expect(await auth.authenticate(`${TEST_TOKEN.slice(0, -1)}X`)).toBeNull()
  })

  it('answers the owner without a promise and hashes a valid token once; a guess is hashed every time', async () => {
    let hashed = 0
    const sha256 = (input: string) => {
      hashed++
      return new Uint8Array(createHash('sha256').update(input).digest())
    }
    const auth = await Authenticator.create({ ownerToken: TEST_TOKEN, ownerId: 'owner', sha256 })
    hashed = 0
    const first = auth.authenticateToken(TEST_TOKEN)
    expect(first).not.toBeInstanceOf(Promise)
    expect((first as Authenticated).principal.userId).toBe('owner')
    expect((auth.authenticateToken(TEST_TOKEN) as Authenticated).credential).toEqual((first as Authenticated).credential)
    expect(hashed).toBe(1)
    for (let i = 0; i < 3; i++) expect(auth.authenticateToken(`${TEST_TOKEN.slice(0, -1)}X`)).toBeNull()
    expect(hashed).toBe(4)
  })

  describe('over a real socket', () => {
    let t: TestServer
    beforeAll(async () => {
      t = await startTestServer()
    })
    afterAll(() => t.close())

    it('answers a token wrong at the first byte, at the last byte and of the wrong length in the same median time', async () => {
      const variants = {
        first: `X${TEST_TOKEN.slice(1)}`,
        last: `${TEST_TOKEN.slice(0, -1)}X`,
        length: `${TEST_TOKEN}0123456789`,
      }
      const samples: Record<keyof typeof variants, number[]> = { first: [], last: [], length: [] }
      const once = async (token: string) => {
        const start = process.hrtime.bigint()
        const res = await fetch(`${t.url}/api/chat/threads`, { headers: { authorization: `Bearer ${token}` } })
        await res.arrayBuffer()
        expect(res.status).toBe(401)
        return Number(process.hrtime.bigint() - start) / 1e6
      }
      for (let i = 0; i < 20; i++) await once(variants.first) // warm-up
      // Interleaved, so load on the machine hits every variant alike.
      for (let i = 0; i < 150; i++) {
        for (const key of Object.keys(variants) as Array<keyof typeof variants>) samples[key].push(await once(variants[key]))
      }
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!
      const medians = Object.values(samples).map(median)
      // A byte-by-byte compare would show a gap per byte; the bound only has to absorb scheduler noise.
      expect(Math.max(...medians) / Math.min(...medians)).toBeLessThan(1.5)
    })
  })
})
