import { describe, expect, it } from 'vitest'
import { HistoryCache } from '../../src/services/chat/history-cache'
import { reusableQuery } from '../../src/store/reusable-query'
import { availableDialects, testStoreOf } from '../support/store'

describe.each(availableDialects)('reusableQuery on %s', (dialect) => {
  it('compiles once and runs with each call\'s values, matched by name whatever order the SQL takes', async () => {
    const store = await testStoreOf(dialect)
    const at = '2026-01-01T00:00:00.000Z'
    for (const [id, user] of [['t1', 'ann'], ['t2', 'bob']] as const) {
      await store.db.insertInto('chat_threads').values({ id, user_id: user, kind: 'thread', channel: 'gateway', title: `title ${id}`, metadata: null, created_at: at, updated_at: at }).execute()
    }
    let builds = 0
    const owned = reusableQuery(store.db, (db, value) => {
      builds++
      // Named in the opposite order to the SQL's parameters.
      return db.selectFrom('chat_threads').select(['id', 'title']).where('user_id', '=', value('user')).where('id', '=', value('thread'))
    })
    expect(await owned({ thread: 't1', user: 'ann' })).toEqual([{ id: 't1', title: 'title t1' }])
    expect(await owned({ thread: 't2', user: 'bob' })).toEqual([{ id: 't2', title: 'title t2' }])
    expect(await owned({ thread: 't1', user: 'bob' })).toEqual([])
    // Values are parameters, never SQL.
    expect(await owned({ thread: "t1' OR '1'='1", user: 'ann' })).toEqual([])
    expect(builds).toBe(1)
    await store.close()
  })
})

describe('HistoryCache', () => {
  it('serves a page only at the version it was rendered for, and drops a moved thread\'s other pages', () => {
    const cache = new HistoryCache()
    cache.set({ userId: 'u1', threadId: 't1', page: 'a', version: 3, writes: undefined, json: '{"page":"a"}' })
    cache.set({ userId: 'u1', threadId: 't1', page: 'b', version: 3, writes: undefined, json: '{"page":"b"}' })
    expect(cache.get('t1', 'a', 3)).toBe('{"page":"a"}')
    expect(cache.get('t1', 'a', 4)).toBeUndefined()
    cache.set({ userId: 'u1', threadId: 't1', page: 'a', version: 4, writes: undefined, json: '{"page":"a4"}' })
    expect(cache.get('t1', 'b', 3)).toBeUndefined()
    expect(cache.get('t1', 'a', 4)).toBe('{"page":"a4"}')
  })

  it('answers without a version while the store counts no write since the page was last current, for its user only', () => {
    const cache = new HistoryCache()
    cache.set({ userId: 'u1', threadId: 't1', page: 'a', version: 3, writes: 10, json: '{"page":"a"}' })
    expect(cache.unchanged('u1', 't1', 'a', 10)).toBe('{"page":"a"}')
    expect(cache.unchanged('u2', 't1', 'a', 10)).toBeUndefined()
    expect(cache.unchanged('u1', 't1', 'a', 11)).toBeUndefined()
    // Read again at count 12 and found at the same version: current as of 12.
    expect(cache.get('t1', 'a', 3, 12)).toBe('{"page":"a"}')
    expect(cache.unchanged('u1', 't1', 'a', 12)).toBe('{"page":"a"}')
    // Where the store counts nothing, nothing is ever unchanged.
    cache.set({ userId: 'u1', threadId: 't2', page: 'a', version: 1, writes: undefined, json: '{}' })
    expect(cache.get('t2', 'a', 1)).toBe('{}')
  })

  it('stays within its size, oldest pages out first', () => {
    const cache = new HistoryCache(4_000)
    for (let i = 0; i < 10; i++) cache.set({ userId: 'u1', threadId: `t${i}`, page: 'p', version: 1, writes: undefined, json: 'x'.repeat(900) })
    const kept = Array.from({ length: 10 }, (_, i) => cache.get(`t${i}`, 'p', 1) !== undefined)
    expect(kept).toEqual([false, false, false, false, false, false, true, true, true, true])
    // A page too big to be worth keeping is not kept.
    cache.set({ userId: 'u1', threadId: 'huge', page: 'p', version: 1, writes: undefined, json: 'x'.repeat(2_000) })
    expect(cache.get('huge', 'p', 1)).toBeUndefined()
  })
})
