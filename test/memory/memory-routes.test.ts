import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { MemoryService } from '../../src/services/memory/memory-service'
import { testGateway } from '../support/gateway'
import { addMember, expectJson, MEMBER_TOKEN, q, write } from './support'

describe('memory routes: documents, folders, tree, list', () => {
  let gateway: Awaited<ReturnType<typeof testGateway>>
  beforeAll(async () => {
    gateway = await testGateway()
    addMember(gateway)
  })
  afterAll(() => gateway.close())

  it('creates, reads, replaces and appends', async () => {
    const created = await expectJson(write(gateway, 'crud/note.md', '# Note\n\nfirst'))
    expect(created).toMatchObject({ path: 'crud/note.md', status: 'written', created: true, changed: true, size: 13 })
    expect(created.document_id).toMatch(/^[0-9a-f-]{36}$/)

    const read = await expectJson(gateway.request(`/api/memory/read?path=${q('crud/note.md')}`))
    expect(read).toMatchObject({ path: 'crud/note.md', content: '# Note\n\nfirst', document_id: created.document_id, size: 13 })
    expect(read.updated_at).toBe(created.updated_at)

    const appended = await expectJson(write(gateway, 'crud/note.md', 'second', { append: true }))
    expect(appended).toMatchObject({ created: false, changed: true, document_id: created.document_id })
    expect((await expectJson(gateway.request(`/api/memory/read?path=${q('crud/note.md')}`))).content).toBe('# Note\n\nfirst\nsecond')

    const same = await expectJson(write(gateway, 'crud/note.md', '# Note\n\nfirst\nsecond'))
    expect(same).toMatchObject({ changed: false, updated_at: appended.updated_at })

    await expectJson(write(gateway, 'crud/note.md', 'replaced'))
    expect((await expectJson(gateway.request(`/api/memory/read?path=${q('crud/note.md')}`))).content).toBe('replaced')

    // Append to a missing document creates it.
    expect(await expectJson(write(gateway, 'crud/log.md', 'entry', { append: true }))).toMatchObject({ created: true })
  })

  it('answers 404 for a missing document and 400 for a bad path, with the envelope', async () => {
    const missing = await expectJson(gateway.request('/api/memory/read?path=nope.md'), 404)
    expect(missing.error.code).toBe('document_not_found')
    const bad = await expectJson(gateway.request(`/api/memory/read?path=${q('../etc/passwd')}`), 400)
    expect(bad.error.code).toBe('invalid_path')
    expect((await expectJson(gateway.request('/api/memory/read'), 400)).error.code).toBe('invalid_query')
  })

  it('keeps every one of many concurrent appends, even to a document that does not exist yet', async () => {
    const lines = Array.from({ length: 12 }, (_, i) => `line ${i}`)
    const results = await Promise.all(lines.map((line) => expectJson(write(gateway, 'race/log.md', line, { append: true }))))
    expect(results.filter((r) => r.created)).toHaveLength(1)
    expect(new Set(results.map((r) => r.document_id)).size).toBe(1)
    const content = (await expectJson(gateway.request('/api/memory/read?path=race/log.md'))).content as string
    expect(content.split('\n').sort()).toEqual([...lines].sort())
  })

  it('refuses lost updates with expected_updated_at', async () => {
    const first = await expectJson(write(gateway, 'occ.md', 'v1', { expected_updated_at: null }))
    expect((await expectJson(write(gateway, 'occ.md', 'again', { expected_updated_at: null }), 409)).error.code).toBe('write_conflict')
    await expectJson(write(gateway, 'occ.md', 'v2', { expected_updated_at: first.updated_at }))
    expect((await expectJson(write(gateway, 'occ.md', 'v3', { expected_updated_at: '2000-01-01T00:00:00.000Z' }), 409)).error.code).toBe('write_conflict')
  })

  it('caps document size (413) including after an append', async () => {
    const big = 'x'.repeat(1024 * 1024 + 1)
    expect((await expectJson(write(gateway, 'big.md', big), 413)).error.code).toBe('document_too_large')
    await expectJson(write(gateway, 'big.md', 'x'.repeat(1024 * 1024 - 1)))
    expect((await expectJson(write(gateway, 'big.md', 'yy', { append: true }), 413)).error.code).toBe('document_too_large')
    // Multi-byte characters count as bytes.
    expect((await expectJson(write(gateway, 'big2.md', 'é'.repeat(600 * 1024)), 413)).error.code).toBe('document_too_large')
  })

  it('keeps documents and folders apart', async () => {
    await expectJson(write(gateway, 'shape/doc.md', 'x'))
    expect((await expectJson(write(gateway, 'shape/doc.md/inner.md', 'x'), 409)).error.code).toBe('path_conflict')
    expect((await expectJson(write(gateway, 'shape', 'x'), 409)).error.code).toBe('path_conflict')
  })

  it('serves the tree and paged listings in the contract shape', async () => {
    for (const p of ['tree/a.md', 'tree/b/c.md', 'tree/b/d/e.md', 'tree/z.md']) await expectJson(write(gateway, p, `content of ${p}`))
    const tree = await expectJson(gateway.request('/api/memory/tree?path=tree'))
    expect(tree.entries.map((e: { path: string; is_dir: boolean }) => [e.path, e.is_dir])).toEqual([
      ['tree/a.md', false], ['tree/b', true], ['tree/b/c.md', false], ['tree/b/d', true], ['tree/b/d/e.md', false], ['tree/z.md', false],
    ])
    expect(tree.entries[0]).toMatchObject({ size: 20 })
    const shallow = await expectJson(gateway.request('/api/memory/tree?path=tree&depth=1'))
    expect(shallow.entries.map((e: { path: string }) => e.path)).toEqual(['tree/a.md', 'tree/b', 'tree/z.md'])
    const whole = await expectJson(gateway.request('/api/memory/tree'))
    expect(whole.entries.some((e: { path: string; is_dir: boolean }) => e.path === 'tree' && e.is_dir)).toBe(true)

    const page1 = await expectJson(gateway.request('/api/memory/list?path=tree&limit=2'))
    expect(page1).toMatchObject({ path: 'tree', total: 3 })
    expect(page1.entries).toEqual([
      { name: 'b', path: 'tree/b', is_dir: true, updated_at: expect.any(String) },
      { name: 'a.md', path: 'tree/a.md', is_dir: false, updated_at: expect.any(String), size: 20 },
    ])
    expect(page1.next_cursor).toEqual(expect.any(String))
    const page2 = await expectJson(gateway.request(`/api/memory/list?path=tree&limit=2&cursor=${q(page1.next_cursor)}`))
    expect(page2.entries.map((e: { name: string }) => e.name)).toEqual(['z.md'])
    expect(page2.next_cursor).toBeNull()

    const root = await expectJson(gateway.request('/api/memory/list'))
    expect(root.path).toBe('')
    expect((await expectJson(gateway.request('/api/memory/list?path=nowhere'), 404)).error.code).toBe('folder_not_found')
    expect((await expectJson(gateway.request('/api/memory/list?path=tree/a.md'), 400)).error.code).toBe('not_a_folder')
    expect((await expectJson(gateway.request('/api/memory/list?path=tree&cursor=%%%'), 400)).error.code).toBe('invalid_cursor')
    for (const limit of ['0', '-1', '1e9', 'NaN', 'abc']) {
      expect((await expectJson(gateway.request(`/api/memory/list?limit=${limit}`), 400)).error.code).toBe('invalid_query')
    }
  })

  it('moves documents and folders', async () => {
    await expectJson(write(gateway, 'mv/one.md', 'one'))
    await expectJson(write(gateway, 'mv/sub/two.md', 'two'))
    const moved = await expectJson(gateway.request('/api/memory/move', { method: 'POST', json: { from: 'mv/one.md', to: 'mv/uno.md' } }))
    expect(moved).toEqual({ from: 'mv/one.md', to: 'mv/uno.md', kind: 'document', moved: 1 })
    expect((await expectJson(gateway.request('/api/memory/read?path=mv/uno.md'))).content).toBe('one')
    await expectJson(gateway.request('/api/memory/read?path=mv/one.md'), 404)

    expect(await expectJson(gateway.request('/api/memory/move', { method: 'POST', json: { from: 'mv', to: 'moved/here' } }))).toMatchObject({ kind: 'folder', moved: 2 })
    expect((await expectJson(gateway.request('/api/memory/read?path=moved/here/sub/two.md'))).content).toBe('two')

    await expectJson(write(gateway, 'mv2/a.md', 'a'))
    await expectJson(write(gateway, 'mv2/b.md', 'b'))
    expect((await expectJson(gateway.request('/api/memory/move', { method: 'POST', json: { from: 'mv2/a.md', to: 'mv2/b.md' } }), 409)).error.code).toBe('path_exists')
    await expectJson(gateway.request('/api/memory/move', { method: 'POST', json: { from: 'mv2/a.md', to: 'mv2/b.md', overwrite: true } }))
    expect((await expectJson(gateway.request('/api/memory/read?path=mv2/b.md'))).content).toBe('a')
    expect((await expectJson(gateway.request('/api/memory/move', { method: 'POST', json: { from: 'mv2', to: 'mv2/inner' } }), 400)).error.code).toBe('invalid_move')
    expect((await expectJson(gateway.request('/api/memory/move', { method: 'POST', json: { from: 'ghost', to: 'x' } }), 404)).error.code).toBe('path_not_found')
    expect((await expectJson(gateway.request('/api/memory/move', { method: 'POST', json: { from: 'mv2', to: '../x' } }), 400)).error.code).toBe('invalid_path')
  })

  it('deletes a document, and a folder only when asked to recurse', async () => {
    await expectJson(write(gateway, 'del/a.md', 'a'))
    await expectJson(write(gateway, 'del/b/c.md', 'c'))
    expect(await expectJson(gateway.request('/api/memory?path=del/a.md', { method: 'DELETE' }))).toEqual({ path: 'del/a.md', kind: 'document', deleted: 1 })
    expect((await expectJson(gateway.request('/api/memory?path=del', { method: 'DELETE' }), 409)).error.code).toBe('folder_not_empty')
    expect(await expectJson(gateway.request('/api/memory?path=del&recursive=true', { method: 'DELETE' }))).toEqual({ path: 'del', kind: 'folder', deleted: 1 })
    expect((await expectJson(gateway.request('/api/memory?path=del', { method: 'DELETE' }), 404)).error.code).toBe('path_not_found')
    // The root is never a delete target.
    expect((await expectJson(gateway.request('/api/memory?path=&recursive=true', { method: 'DELETE' }), 400)).error.code).toBe('invalid_path')
  })

  it('publishes memory_changed to the owner only', async () => {
    const before = await gateway.store!.db.selectFrom('events').select(['user_id', 'payload']).where('type', '=', 'memory_changed').execute()
    await expectJson(write(gateway, 'events/e.md', 'x'))
    const after = await gateway.store!.db.selectFrom('events').select(['user_id', 'payload']).where('type', '=', 'memory_changed').execute()
    const added = after.slice(before.length)
    expect(added).toHaveLength(1)
    expect(added[0]!.user_id).toBe('owner')
    expect(JSON.parse(added[0]!.payload)).toMatchObject({ type: 'memory_changed', action: 'written', path: 'events/e.md', kind: 'document' })
  })

  it('reports status', async () => {
    const status = await expectJson(gateway.request('/api/memory/status'))
    expect(status.documents).toBeGreaterThan(5)
    expect(status.chunks).toBeGreaterThan(0)
    expect(status.embeddings).toBeNull()
  })

  it("isolates users: another user's memory does not exist for them", async () => {
    await expectJson(write(gateway, 'private/secret.md', 'owner secret plans'))
    const other = { token: MEMBER_TOKEN }
    expect((await expectJson(gateway.request('/api/memory/read?path=private/secret.md', other), 404)).error.code).toBe('document_not_found')
    expect((await expectJson(gateway.request('/api/memory/tree', other))).entries).toEqual([])
    expect((await expectJson(gateway.request('/api/memory/list?path=private', other), 404)).error.code).toBe('folder_not_found')
    expect((await expectJson(gateway.request('/api/memory?path=private&recursive=true', { method: 'DELETE', ...other }), 404)).error.code).toBe('path_not_found')
    expect((await expectJson(gateway.request('/api/memory/move', { method: 'POST', json: { from: 'private/secret.md', to: 'mine.md' }, ...other }), 404)).error.code).toBe('path_not_found')
    const search = await expectJson(gateway.request('/api/memory/search', { method: 'POST', json: { query: 'secret plans' }, ...other }))
    expect(search.results).toEqual([])
    // The same path is free for bob, and stays his.
    await expectJson(write(gateway, 'private/secret.md', 'bob notes', {}, MEMBER_TOKEN))
    expect((await expectJson(gateway.request('/api/memory/read?path=private/secret.md'))).content).toBe('owner secret plans')
    expect((await expectJson(gateway.request('/api/memory/read?path=private/secret.md', other))).content).toBe('bob notes')
  })

  it("erases a user's memory when the user is deleted", async () => {
    await expectJson(write(gateway, 'gone.md', 'bye', {}, MEMBER_TOKEN))
    await (gateway.services.memory as MemoryService).deleteUser('bob')
    expect((await expectJson(gateway.request('/api/memory/tree', { token: MEMBER_TOKEN }))).entries).toEqual([])
    const rows = await gateway.store!.db.selectFrom('memory_chunks').select('id').where('user_id', '=', 'bob').execute()
    expect(rows).toEqual([])
    expect((await expectJson(gateway.request('/api/memory/read?path=private/secret.md'))).content).toBe('owner secret plans')
  })

  it('needs a token', async () => {
    expect((await gateway.request('/api/memory/tree', { token: null })).status).toBe(401)
  })
})

describe('memory routes without a database', () => {
  it('answer 503 memory_unavailable', async () => {
    const gateway = await testGateway({ store: undefined })
    try {
      expect((await expectJson(gateway.request('/api/memory/tree'), 503)).error.code).toBe('memory_unavailable')
      expect((await expectJson(write(gateway, 'a.md', 'x'), 503)).error.code).toBe('memory_unavailable')
    } finally {
      await gateway.close()
    }
  })
})
