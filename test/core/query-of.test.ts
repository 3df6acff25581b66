import fc from 'fast-check'
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import type { GatewayEnv } from '../../src/ports/env'
import { query, queryOf } from '../../src/middleware/validate'

/** `queryOf` replaced `c.req.query()` in the query validator for speed; it must read the same values. */
describe('queryOf', () => {
  const app = new Hono().get('/q', (c) => c.json(c.req.query()))
  const honoReads = async (search: string) => (await app.request(`http://localhost/q${search}`)).json()

  it('reads what Hono reads: first of a repeated name, + as space, percent escapes, empty names dropped', async () => {
    for (const search of ['', '?', '?a=1&a=2', '?a=x+y&b=%2Fz', '?=1&b', '?a=%zz', '?%61=1&a=2', '?a=1#frag', '?__proto__=x&constructor=y', '?a==b&c']) {
      expect({ ...queryOf(`http://localhost/q${search}`) }, search).toEqual(await honoReads(search))
    }
  })

  it('agrees with Hono on generated query strings', async () => {
    const part = fc.stringMatching(/^[a-c%+=2F0-9 ]{0,4}$/)
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(part, part), { maxLength: 4 }), async (pairs) => {
        const search = `?${pairs.map(([k, v]) => `${encodeURI(k)}=${encodeURI(v)}`).join('&')}`
        expect({ ...queryOf(`http://localhost/q${search}`) }).toEqual(await honoReads(search))
      }),
      { numRuns: 300 },
    )
  })
})

/** The validator keeps results by query string; each request must still get its own. */
describe('query()', () => {
  const Schema = z.object({ limit: z.coerce.number().int().min(1).default(50), tag: z.string().optional() })
  const app = new Hono<GatewayEnv>()
    .onError((error, c) => c.json({ status: (error as { status?: number }).status }, ((error as { status?: number }).status ?? 500) as 400))
    .get('/q', query(Schema), (c) => {
      const q = c.req.valid('query')
      const seen = { ...q }
      // A handler that changes what it was given must not change what the next request gets.
      q.limit = -1
      q.tag = 'changed'
      return c.json(seen)
    })
  const read = async (search: string) => (await app.request(`http://localhost/q${search}`)).json()

  it('hands each request its own copy of a kept result, and refuses a bad query every time', async () => {
    for (let i = 0; i < 3; i++) {
      expect(await read('?limit=5')).toEqual({ limit: 5 })
      expect(await read('')).toEqual({ limit: 50 })
      expect(await read('?limit=5&tag=a')).toEqual({ limit: 5, tag: 'a' })
      expect(await read('?limit=0')).toEqual({ status: 400 })
    }
  })
})
