import { afterAll, describe, expect, it } from 'vitest'
import { MockLlm, mockEmbedding } from '../support/mock-llm'

describe('mock LLM server (test infrastructure)', async () => {
  const llm = await MockLlm.start()
  afterAll(() => llm.close())

  it('streams scripted text with usage, like the OpenAI API', async () => {
    llm.text('Hel', 'lo')
    const res = await fetch(`${llm.url}/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'm', stream: true, stream_options: { include_usage: true }, messages: [] }) })
    const text = await res.text()
    const frames = text.split('\n\n').filter(Boolean).map((f) => f.slice(6))
    expect(frames.at(-1)).toBe('[DONE]')
    const chunks = frames.slice(0, -1).map((f) => JSON.parse(f) as { choices: Array<{ delta: { content?: string } }>; usage?: unknown })
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('Hello')
    expect(chunks.at(-1)!.usage).toBeTruthy()
  })

  it('returns scripted errors and deterministic embeddings', async () => {
    llm.reply({ kind: 'error', status: 429, headers: { 'retry-after': '1' } })
    const res = await fetch(`${llm.url}/chat/completions`, { method: 'POST', body: '{"messages":[]}' })
    expect(res.status).toBe(429)
    const emb = (await (await fetch(`${llm.url}/embeddings`, { method: 'POST', body: JSON.stringify({ input: ['a cat', 'a dog'] }) })).json()) as { data: Array<{ embedding: number[] }> }
    expect(emb.data[0]!.embedding).toEqual(mockEmbedding('a cat'))
  })
})
