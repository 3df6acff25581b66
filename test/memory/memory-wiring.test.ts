import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testGateway } from '../support/gateway'
import { expectJson, write } from './support'

/** The default services wire memory in: tools, `memory_changed`, erasure with the user. */
describe('memory in the default services', () => {
  let gateway: Awaited<ReturnType<typeof testGateway>>
  beforeAll(async () => {
    gateway = await testGateway()
  })
  afterAll(() => gateway.close())

  it("adds the memory tools for every user, and erases a deleted user's memory (only theirs)", async () => {
    const carol = await expectJson<{ id: string; token: string }>(gateway.request('/api/admin/users', { method: 'POST', json: { display_name: 'Carol' } }), 201)
    await expectJson(write(gateway, 'a.md', 'carol remembers', {}, carol.token))
    await expectJson(write(gateway, 'a.md', 'the owner remembers'))
    expect((await gateway.tools.list(carol.id)).filter((t) => t.source === 'memory').map((t) => t.name).sort()).toEqual(['memory_read', 'memory_search', 'memory_tree', 'memory_write'])

    const events = await gateway.store!.db.selectFrom('events').select('payload').where('user_id', '=', carol.id).where('type', '=', 'memory_changed').execute()
    expect(events.map((e) => JSON.parse(e.payload))).toEqual([{ type: 'memory_changed', action: 'written', path: 'a.md', kind: 'document' }])

    await expectJson(gateway.request(`/api/admin/users/${carol.id}`, { method: 'DELETE' }))
    const left = await gateway.store!.db.selectFrom('memory_documents').select('user_id').execute()
    expect(left.map((r) => r.user_id)).toEqual(['owner'])
    expect(await gateway.store!.db.selectFrom('memory_chunks').select('id').where('user_id', '=', carol.id).execute()).toEqual([])
    expect((await expectJson(gateway.request('/api/memory/read?path=a.md'))).content).toBe('the owner remembers')
  })
})
