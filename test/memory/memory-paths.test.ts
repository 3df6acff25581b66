import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { normalizeMemoryPath } from '../../src/services/memory/memory-path'
import { testGateway } from '../support/gateway'
import { expectJson, write } from './support'

/** security-bar.md cases 11-13: traversal, encodings and NUL through every memory route. */
describe('memory paths through the routes', () => {
  let gateway: Awaited<ReturnType<typeof testGateway>>
  beforeAll(async () => {
    gateway = await testGateway()
    await expectJson(write(gateway, 'inside/doc.md', 'inside'))
  })
  afterAll(() => gateway.close())

  // Raw query strings: the router decodes them (`..%2f` arrives as `../`, `%00` as NUL).
  const rawQueries = [
    '../x', 'a/../../x', '/etc/passwd', '//etc/passwd', 'C:%5Cx', '..%5C..%5Cx', '%5C%5Chost%5Cshare',
    '%2e%2e/', '..%2f', '%2e%2e%2fetc%2fpasswd', '%252e%252e%252f', '..%5c', '%c0%ae%c0%ae/', '%EF%BC%8E%EF%BC%8E%EF%BC%8F',
    'a.md%00.png', '%00', 'inside%2F..%2F..%2Fx', '%E2%80%AEdm.txt', 'a%0Ab',
  ]

  it.each(rawQueries)('GET read/list/tree and DELETE with path=%s answer 4xx, never 500', async (raw) => {
    for (const url of [`/api/memory/read?path=${raw}`, `/api/memory/list?path=${raw}`, `/api/memory/tree?path=${raw}`]) {
      const res = await gateway.request(url)
      expect([400, 404], url).toContain(res.status)
      const body = (await res.json()) as { error: { code: string; message: string } }
      expect(body.error.message).not.toMatch(/etc\/passwd|at .*\.ts:\d+/)
    }
    const del = await gateway.request(`/api/memory?path=${raw}&recursive=true`, { method: 'DELETE' })
    expect([400, 404]).toContain(del.status)
  })

  const jsonPaths = [
    '../x', 'a/../../x', '/etc/passwd', '//etc/passwd', 'C:\\x', '..\\..\\x', '\\\\host\\share', 'a\u0000b', 'a.md\u0000.png',
    '．．／x', '..', '.', 'a//b', '\u202Etxt.md', 'x'.repeat(600),
  ]

  it.each(jsonPaths)('POST write/move/search with path %j answer 400 invalid_path', async (path) => {
    expect((await expectJson(write(gateway, path, 'x'), 400)).error.code).toBe('invalid_path')
    const moves = [
      { from: path, to: 'ok.md' },
      { from: 'inside/doc.md', to: path },
    ]
    for (const json of moves) expect((await expectJson(gateway.request('/api/memory/move', { method: 'POST', json }), 400)).error.code).toBe('invalid_path')
    expect((await expectJson(gateway.request('/api/memory/search', { method: 'POST', json: { query: 'inside', path } }), 400)).error.code).toBe('invalid_path')
  })

  it('leaves the workspace untouched by all of the above', async () => {
    const tree = await expectJson(gateway.request('/api/memory/tree'))
    expect(tree.entries.map((e: { path: string }) => e.path)).toEqual(['inside', 'inside/doc.md'])
  })

  it('stores the NFC form, so decomposed and composed spellings are one document', async () => {
    await expectJson(write(gateway, 'cafe\u0301.md', 'one'))
    expect((await expectJson(gateway.request(`/api/memory/read?path=${encodeURIComponent('café.md')}`))).content).toBe('one')
    expect((await expectJson(write(gateway, 'café.md', 'two'))).created).toBe(false)
    await expectJson(gateway.request(`/api/memory?path=${encodeURIComponent('café.md')}`, { method: 'DELETE' }))
  })

  it('property: any generated path is written at its normal form or refused with 400', async () => {
    const segment = fc.oneof(
      fc.constantFrom('..', '.', '', '%2e%2e', '..%2f', 'C:', '\\', '\u0000', '．．', '／', ' x', 'e\u0301', '😀', 'note.md', 'a b'),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 }),
    )
    const path = fc.oneof(fc.array(segment, { minLength: 1, maxLength: 5 }).map((s) => s.join('/')), fc.string({ unit: 'binary', maxLength: 20 }))
    await fc.assert(
      fc.asyncProperty(path, async (p) => {
        let expected: string | undefined
        try {
          expected = normalizeMemoryPath(`prop/${p}`)
        } catch {
          expected = undefined
        }
        const res = await write(gateway, `prop/${p}`, 'x')
        const body = (await res.json()) as { path: string; error?: { code: string } }
        if (expected === undefined) {
          expect(res.status).toBe(400)
          expect(body.error!.code).toBe('invalid_path')
          return
        }
        // A generated path may collide with an earlier one as file vs folder: 409, not a crash.
        if (res.status === 409) {
          expect(body.error!.code).toBe('path_conflict')
          return
        }
        expect(res.status).toBe(200)
        expect(body.path).toBe(expected)
        expect((await gateway.request(`/api/memory/read?path=${encodeURIComponent(expected)}`)).status).toBe(200)
      }),
      { numRuns: 100 },
    )
    const tree = await expectJson(gateway.request('/api/memory/tree'))
    for (const entry of tree.entries as Array<{ path: string }>) expect(normalizeMemoryPath(entry.path)).toBe(entry.path)
  })
})
