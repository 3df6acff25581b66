import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { MemoryService } from '../../src/services/memory/memory-service'
import { testGateway, waitFor } from '../support/gateway'
import { MockLlm } from '../support/mock-llm'
import { addMember, expectJson, MEMBER_TOKEN, search, write } from './support'

type Result = { path: string; document_id: string; chunk_id: string; snippet: string; highlights: Array<{ start: number; end: number }>; score: number; fts_rank: number | null; vector_rank: number | null; content: string }

const NOTES: Record<string, string> = {
  'health/dentist.md': '# Dentist\n\nDentist appointment on Tuesday at 10, bring the insurance card.',
  'garden/tomatoes.md': '# Garden\n\nTomatoes need full sun and deep watering twice a week.',
  'work/gateway.md': '# Gateway\n\nThe gateway streams events over SSE and WebSocket to the browser.',
  'recipes/bread.md': '# Bread\n\nSourdough starter: feed it flour and water daily; bake at 250 degrees.',
}

describe('memory search: full text only', () => {
  let gateway: Awaited<ReturnType<typeof testGateway>>
  beforeAll(async () => {
    gateway = await testGateway()
    addMember(gateway)
    for (const [path, content] of Object.entries(NOTES)) await expectJson(write(gateway, path, content))
  })
  afterAll(() => gateway.close())

  it('finds notes by their words, with real paths, ranks and highlighted plain-text snippets', async () => {
    const body = await expectJson<{ results: Result[]; mode: string }>(search(gateway, { query: 'when is my dentist appointment?' }))
    expect(body.mode).toBe('full_text')
    const top = body.results[0]!
    expect(top).toMatchObject({ path: 'health/dentist.md', score: 1, fts_rank: 1, vector_rank: null })
    expect(top.document_id).toMatch(/^[0-9a-f-]{36}$/)
    expect(top.chunk_id).toMatch(/^[0-9a-f-]{36}$/)
    expect(top.snippet).not.toContain('#')
    expect(top.highlights.map((h) => top.snippet.slice(h.start, h.end).toLowerCase())).toEqual(['dentist', 'dentist', 'appointment'])
  })

  it('matches word forms (stemming) and limits to a folder', async () => {
    const body = await expectJson<{ results: Result[] }>(search(gateway, { query: 'tomato watered' }))
    expect(body.results[0]!.path).toBe('garden/tomatoes.md')
    const scoped = await expectJson<{ results: Result[] }>(search(gateway, { query: 'gateway tomatoes', path: 'work' }))
    expect(scoped.results.map((r) => r.path)).toEqual(['work/gateway.md'])
  })

  it('follows edits: new words are found, old ones are gone', async () => {
    await expectJson(write(gateway, 'recipes/bread.md', '# Bread\n\nRye loaf with caraway seeds.'))
    expect((await expectJson<{ results: Result[] }>(search(gateway, { query: 'sourdough' }))).results).toEqual([])
    expect((await expectJson<{ results: Result[] }>(search(gateway, { query: 'caraway' }))).results[0]!.path).toBe('recipes/bread.md')
    await expectJson(gateway.request('/api/memory?path=recipes/bread.md', { method: 'DELETE' }))
    expect((await expectJson<{ results: Result[] }>(search(gateway, { query: 'caraway' }))).results).toEqual([])
  })

  it('finds notes after a move under their new path', async () => {
    await expectJson(gateway.request('/api/memory/move', { method: 'POST', json: { from: 'garden', to: 'outdoors/garden' } }))
    const body = await expectJson<{ results: Result[] }>(search(gateway, { query: 'tomatoes' }))
    expect(body.results[0]!.path).toBe('outdoors/garden/tomatoes.md')
  })

  it('survives hostile queries: 200 or 400, never 500, tables intact', async () => {
    const queries = [
      `' OR 1=1--`, `%';DROP TABLE memory_documents;--`, 'foo & | !(', ':*', '\\', '"', '"unbalanced', '*', 'NEAR(a b)', 'content:x',
      '^dentist', 'dentist OR', 'AND', '()', '-dentist', '!!', '<->', 'a:*B', '\u0000', '😀', 'Ω≈ç√', '東京', "'); select pg_sleep(1); --",
      'x'.repeat(3999), 'word '.repeat(799),
    ]
    for (const query of queries) {
      const res = await search(gateway, { query })
      expect([200, 400], `query ${JSON.stringify(query.slice(0, 40))}`).toContain(res.status)
      if (res.status === 200) expect(Array.isArray((await res.json()).results)).toBe(true)
    }
    const tooLong = await expectJson(search(gateway, { query: 'x'.repeat(10 * 1024) }), 400)
    expect(tooLong.error.code).toBe('invalid_request')
    expect((await expectJson(search(gateway, { query: 'x'.repeat(100 * 1024) }), 413)).error.code).toBe('payload_too_large')
    for (const limit of [-1, 0, 1e9, 101, 1.5, 'NaN', null]) {
      expect((await search(gateway, { query: 'dentist', limit })).status, `limit ${limit}`).toBe(400)
    }
    expect((await search(gateway, { query: '' })).status).toBe(400)
    expect((await search(gateway, { query: 'dentist', path: '../x' })).status).toBe(400)
    // The NaN/1e9 of a raw body never reaches SQL either.
    const raw = await gateway.request('/api/memory/search', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"x","limit":NaN}' })
    expect(raw.status).toBe(400)
    // Still all there.
    expect((await expectJson<{ results: Result[] }>(search(gateway, { query: 'dentist' }))).results[0]!.path).toBe('health/dentist.md')
  })

  it('respects the limit and never shows another user’s notes', async () => {
    for (let i = 0; i < 15; i++) await expectJson(write(gateway, `many/n${i}.md`, `common word note ${i}`))
    expect((await expectJson<{ results: Result[] }>(search(gateway, { query: 'common', limit: 3 }))).results).toHaveLength(3)
    expect((await expectJson<{ results: Result[] }>(search(gateway, { query: 'common' }))).results).toHaveLength(10)
    expect((await expectJson<{ results: Result[] }>(search(gateway, { query: 'common dentist gateway' }, MEMBER_TOKEN))).results).toEqual([])
    await expectJson(write(gateway, 'bob.md', 'bob has a common cold', {}, MEMBER_TOKEN))
    const bobs = await expectJson<{ results: Result[] }>(search(gateway, { query: 'common' }, MEMBER_TOKEN))
    expect(bobs.results.map((r) => r.path)).toEqual(['bob.md'])
  })
})

describe('memory search: hybrid with embeddings from the provider', () => {
  let llm: MockLlm
  let gateway: Awaited<ReturnType<typeof testGateway>>
  const memory = () => gateway.services.memory as MemoryService
  const embeddingRequests = () => llm.requests.filter((r) => r.path.endsWith('/embeddings'))

  beforeAll(async () => {
    llm = await MockLlm.start()
    gateway = await testGateway({ config: { llm: { baseUrl: llm.url, apiKey: 'sk-test', model: 'mock-model', embeddingModel: 'mock-embed' } } })
    for (const [path, content] of Object.entries(NOTES)) await expectJson(write(gateway, path, content))
    await memory().embeddingsIdle()
  })
  afterAll(async () => {
    await gateway.close()
    await llm.close()
  })

  it('embeds chunks in the background, in batches, through /v1/embeddings', async () => {
    const status = await expectJson(gateway.request('/api/memory/status'))
    expect(status.embeddings).toEqual({ model: 'mock-embed', embedded: status.chunks, pending: 0 })
    const requests = embeddingRequests()
    expect(requests.length).toBeGreaterThan(0)
    expect(requests[0]!.body).toMatchObject({ model: 'mock-embed', encoding_format: 'float' })
    expect(requests[0]!.headers.authorization).toBe('Bearer sk-test')
    // One long document: its 70 chunks go out in batches of 64.
    const sent = requests.length
    const long = Array.from({ length: 70 }, (_, i) => `## Entry ${i}\n\n${`Journal entry number ${i}. `.repeat(12)}`).join('\n\n')
    await expectJson(write(gateway, 'journal.md', long))
    await memory().embeddingsIdle()
    const sizes = embeddingRequests().slice(sent).map((r) => (r.body.input as string[]).length)
    expect(sizes).toEqual([64, 6])
    await expectJson(gateway.request('/api/memory?path=journal.md', { method: 'DELETE' }))
    const usage = await gateway.store!.db.selectFrom('llm_usage').select(['purpose', 'model']).where('purpose', '=', 'embedding').execute()
    expect(usage.length).toBeGreaterThan(0)
    expect(usage[0]!.model).toBe('mock-embed')
  })

  it('ranks a chunk found by both methods above one found by words alone', async () => {
    // Repeats make this note the best full-text match; its plural forms share no embedding words
    // with the query (the mock embeds exact words), so it is found by words alone.
    await expectJson(write(gateway, 'health/list.md', '# Dentists, appointments\n\nDentists dentists dentists: appointments, appointments.'))
    await memory().embeddingsIdle()
    const body = await expectJson<{ results: Result[]; mode: string }>(search(gateway, { query: 'dentist appointment' }))
    expect(body.mode).toBe('hybrid')
    const [first] = body.results
    expect(first).toMatchObject({ path: 'health/dentist.md', score: 1 })
    expect(first).toMatchObject({ fts_rank: 2, vector_rank: 1 })
    const wordsOnly = body.results.find((r) => r.path === 'health/list.md')!
    expect(wordsOnly).toMatchObject({ fts_rank: 1, vector_rank: null })
    expect(wordsOnly.score).toBeLessThan(1)
  })

  it('re-embeds what an edit changed, and never uses the old vectors', async () => {
    const before = await expectJson<{ results: Result[] }>(search(gateway, { query: 'tomatoes sun watering' }))
    const oldChunk = before.results.find((r) => r.path === 'garden/tomatoes.md')!.chunk_id
    const sent = embeddingRequests().length
    await expectJson(write(gateway, 'garden/tomatoes.md', '# Garden\n\nBasil likes warm nights and morning shade.'))
    await memory().embeddingsIdle()
    const newInputs = embeddingRequests().slice(sent).flatMap((r) => r.body.input as string[])
    expect(newInputs).toEqual([expect.stringContaining('Basil likes warm nights')])
    const after = await expectJson<{ results: Result[] }>(search(gateway, { query: 'basil warm nights' }))
    const hit = after.results[0]!
    expect(hit).toMatchObject({ path: 'garden/tomatoes.md', vector_rank: 1, fts_rank: 1 })
    expect(hit.chunk_id).not.toBe(oldChunk)
    const stale = await expectJson<{ results: Result[] }>(search(gateway, { query: 'tomatoes sun watering' }))
    expect(stale.results.map((r) => r.chunk_id)).not.toContain(oldChunk)
    expect(stale.results.every((r) => r.fts_rank === null || r.path !== 'garden/tomatoes.md')).toBe(true)
  })

  it('keeps the embeddings of unchanged chunks on append', async () => {
    const long = Array.from({ length: 6 }, (_, i) => `## Part ${i}\n\n${`Paragraph ${i} about sailing and knots. `.repeat(12)}`).join('\n\n')
    await expectJson(write(gateway, 'hobby/sailing.md', long))
    await memory().embeddingsIdle()
    const sent = embeddingRequests().length
    await expectJson(write(gateway, 'hobby/sailing.md', '## Part 6\n\nA bowline knot never slips.', { append: true }))
    await memory().embeddingsIdle()
    const inputs = embeddingRequests().slice(sent).flatMap((r) => r.body.input as string[])
    expect(inputs.length).toBeGreaterThan(0)
    expect(inputs.length).toBeLessThan(3)
    expect(inputs.join(' ')).toContain('bowline')
    const status = await expectJson(gateway.request('/api/memory/status'))
    expect(status.embeddings.pending).toBe(0)
  })
})

describe('memory search when the embedding provider is down', () => {
  it('answers on full text when the query cannot be embedded', async () => {
    const llm = await MockLlm.start()
    const gateway = await testGateway({ config: { llm: { baseUrl: llm.url, embeddingModel: 'mock-embed' } } })
    try {
      await expectJson(write(gateway, 'boats.md', 'notes about canoes and paddles'))
      await (gateway.services.memory as MemoryService).embeddingsIdle()
      expect((await expectJson<{ mode: string }>(search(gateway, { query: 'canoes' }))).mode).toBe('hybrid')
      await llm.close()
      for (const query of ['paddles', 'canoes paddles']) {
        const body = await expectJson<{ results: Result[]; mode: string }>(search(gateway, { query }))
        expect(body.mode).toBe('full_text')
        expect(body.results[0]).toMatchObject({ path: 'boats.md', fts_rank: 1, vector_rank: null })
      }
    } finally {
      await gateway.close()
    }
  })

  it('answers on full text alone and keeps the chunks pending', async () => {
    const llm = await MockLlm.start()
    const url = llm.url
    await llm.close() // nothing listens there any more
    const gateway = await testGateway({ config: { llm: { baseUrl: url, embeddingModel: 'mock-embed' } } })
    try {
      await expectJson(write(gateway, 'a.md', 'offline note about kayaks'))
      const body = await expectJson<{ results: Result[]; mode: string }>(search(gateway, { query: 'kayaks' }))
      expect(body.mode).toBe('full_text')
      expect(body.results[0]).toMatchObject({ path: 'a.md', fts_rank: 1, vector_rank: null })
      await waitFor(async () => (await expectJson(gateway.request('/api/memory/status'))).embeddings.pending === 1, 5_000, 'pending chunk')
    } finally {
      await gateway.close()
    }
  })
})
