import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { chunkMarkdown, DEFAULT_CHUNK_OPTIONS } from '../../src/services/memory/chunker'
import { fts5Expression, queryTerms, websearchExpression } from '../../src/services/memory/full-text'
import { buildListing, buildTree } from '../../src/services/memory/memory-listing'
import { compareCodePoints, InvalidPathError, normalizeMemoryPath, PATH_LIMITS } from '../../src/services/memory/memory-path'
import { reciprocalRankFusion } from '../../src/services/memory/rank-fusion'
import { buildSnippet, plainText } from '../../src/services/memory/snippet'
import { decodeVector, encodeVector } from '../../src/services/memory/vector-codec'

describe('memory paths', () => {
  it('normalises NFC, a trailing slash, and keeps ordinary names', () => {
    expect(normalizeMemoryPath('notes/cafe\u0301.md')).toBe('notes/café.md')
    expect(normalizeMemoryPath('projects/')).toBe('projects')
    expect(normalizeMemoryPath('a b/100% done (v2).md')).toBe('a b/100% done (v2).md')
    expect(normalizeMemoryPath('', { allowRoot: true })).toBe('')
    expect(normalizeMemoryPath('/', { allowRoot: true })).toBe('')
  })

  it.each([
    ['../x'], ['a/../../x'], ['/etc/passwd'], ['//etc/passwd'], ['C:\\x'], ['C:/x'], ['..\\..\\x'], ['\\\\host\\share'],
    ['a/./b'], ['a//b'], ['.'], ['..'], ['a\u0000b'], ['a.md\u0000.png'], ['a\nb'], ['a\u202Eb'], ['\uD800x'],
    ['．．／x'], ['．．'], ['a/．/b'], [' a.md'], ['a.md '], [''], ['x'.repeat(PATH_LIMITS.maxLength + 1)],
    [Array.from({ length: PATH_LIMITS.maxDepth + 1 }, () => 'd').join('/')], ['é'.repeat(200)],
  ])('refuses %j with 400 invalid_path', (input) => {
    expect(() => normalizeMemoryPath(input)).toThrow(InvalidPathError)
    try {
      normalizeMemoryPath(input)
    } catch (error) {
      expect((error as InvalidPathError).status).toBe(400)
      expect((error as InvalidPathError).code).toBe('invalid_path')
    }
  })

  it('property: any string is either a normalised in-root path or an invalid_path error', () => {
    const hostile = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 80 }),
      fc.array(fc.constantFrom('..', '.', '', 'a', 'b.md', '%2e%2e', '..%2f', '\\', '/', 'C:', '\u0000', '．．', '／', 'é', 'e\u0301', ' ', '\u202E'), { maxLength: 8 }).map((parts) => parts.join('/')),
      fc.array(fc.constantFrom('..', 'a', '\\', '/', '.', '%00', '\u2215'), { maxLength: 10 }).map((parts) => parts.join('')),
    )
    fc.assert(
      fc.property(hostile, (input) => {
        let out: string
        try {
          out = normalizeMemoryPath(input)
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidPathError)
          return
        }
        expect(out.length).toBeGreaterThan(0)
        expect(out).toBe(out.normalize('NFC'))
        expect(out.startsWith('/')).toBe(false)
        expect(out.endsWith('/')).toBe(false)
        expect(out).not.toMatch(/[\\\u0000-\u001f\u007f]/)
        for (const segment of out.split('/')) {
          expect(segment).not.toBe('')
          expect(['.', '..']).not.toContain(segment.normalize('NFKC'))
        }
        // Idempotent: a stored path is its own normal form.
        expect(normalizeMemoryPath(out)).toBe(out)
      }),
      { numRuns: 2000 },
    )
  })

  it('orders by code point, like the databases order paths', () => {
    const words = ['b', 'a/b', 'a', 'a.md', '\uFFFD', '😀', 'Z']
    expect([...words].sort(compareCodePoints)).toEqual(['Z', 'a', 'a.md', 'a/b', 'b', '\uFFFD', '😀'])
  })
})

describe('chunking', () => {
  it('keeps headings with their sections and every chunk an exact slice', () => {
    const text = '# Projects\n\nIntro line.\n\n## Gateway\n\nThe gateway is written in TypeScript.\n\n## Garden\n\nTomatoes need sun.\n'
    const chunks = chunkMarkdown(text, { ...DEFAULT_CHUNK_OPTIONS, minChars: 10 })
    expect(chunks.map((c) => c.heading)).toEqual(['Projects', 'Projects > Gateway', 'Projects > Garden'])
    for (const c of chunks) expect(text.slice(c.start, c.end)).toBe(c.content)
    expect(chunks[1]!.content).toContain('TypeScript')
  })

  it('merges tiny sections and ignores headings inside code fences', () => {
    const text = '# A\nshort\n# B\nalso short\n\n```sh\n# not a heading\n\nstill code\n```\n'
    const chunks = chunkMarkdown(text)
    expect(chunks).toHaveLength(1)
    expect(chunks[0]!.heading).toBe('A')
    expect(chunks[0]!.content).toContain('# not a heading')
  })

  it('property: chunks are bounded, ordered, exact slices that cover every word', () => {
    const word = fc.stringMatching(/^[a-z]{1,12}$/)
    const paragraph = fc.array(word, { minLength: 1, maxLength: 400 }).map((ws) => ws.join(' '))
    const block = fc.oneof(paragraph, word.map((w) => `## ${w}`), fc.constant('```\ncode\n\n```'), fc.string({ maxLength: 3000 }))
    const options = { maxChars: 300, overlapChars: 40, minChars: 50 }
    fc.assert(
      fc.property(fc.array(block, { maxLength: 12 }).map((bs) => bs.join('\n\n')), (text) => {
        const chunks = chunkMarkdown(text, options)
        let covered = 0
        chunks.forEach((c, i) => {
          expect(c.ordinal).toBe(i)
          expect(text.slice(c.start, c.end)).toBe(c.content)
          expect(c.content.length).toBeLessThanOrEqual(options.maxChars + 300) // a heading line may ride along
          expect(c.start).toBeGreaterThanOrEqual(i > 0 ? chunks[i - 1]!.start : 0)
          if (c.start > covered && text.slice(covered, c.start).trim() !== '') throw new Error(`gap before chunk ${i}`)
          covered = Math.max(covered, c.end)
        })
        expect(text.slice(covered).trim()).toBe('')
      }),
      { numRuns: 300 },
    )
  })

  it('cuts a paragraph without spaces and terminates', () => {
    const text = 'x'.repeat(10_000)
    const chunks = chunkMarkdown(text)
    expect(chunks.length).toBeGreaterThan(8)
    expect(Math.max(...chunks.map((c) => c.content.length))).toBeLessThanOrEqual(DEFAULT_CHUNK_OPTIONS.maxChars)
  })
})

describe('search helpers', () => {
  it('reduces any query to plain words: no FTS5 or tsquery syntax survives', () => {
    expect(queryTerms(`' OR 1=1--`)).toEqual(['1'])
    expect(queryTerms(`%';DROP TABLE x;--`)).toEqual(['drop', 'table', 'x'])
    expect(queryTerms('foo & | !( :* \\ "bar" NEAR(a b) content:x')).toEqual(['foo', 'bar', 'near', 'b', 'content', 'x'])
    expect(queryTerms('the')).toEqual(['the'])
    expect(queryTerms('Straße CAFÉ 東京')).toEqual(['straße', 'café', '東京'])
    expect(queryTerms('a '.repeat(5000) + 'x')).toEqual(['x'])
    expect(fts5Expression(['a', 'b'])).toBe('"a" OR "b"')
    expect(websearchExpression(['a', 'b'])).toBe('a or b')
  })

  it('fuses rankings with RRF, normalised to 1.0, both-ways hits first', () => {
    const fused = reciprocalRankFusion([
      ['fts-only', 'both'],
      ['both', 'vec-only'],
    ])
    expect(fused.map((h) => h.id)).toEqual(['both', 'fts-only', 'vec-only'])
    expect(fused[0]!.score).toBe(1)
    expect(fused[0]!.ranks).toEqual([2, 1])
    expect(fused[1]!.ranks).toEqual([1, null])
    expect(fused[1]!.score).toBeCloseTo(1 / 61 / (1 / 62 + 1 / 61))
    expect(reciprocalRankFusion([[], []])).toEqual([])
  })

  it('builds plain-text snippets with highlight offsets', () => {
    const content = `# Health\n\n${'Filler words here. '.repeat(30)}My **dentist** appointments are on [Tuesdays](https://x.test). ${'More filler. '.repeat(30)}`
    const { snippet, highlights } = buildSnippet(content, ['dentist', 'appointment'])
    expect(snippet.length).toBeLessThanOrEqual(242)
    expect(snippet).not.toContain('**')
    expect(snippet).not.toContain('https://')
    expect(highlights.map((h) => snippet.slice(h.start, h.end))).toEqual(['dentist', 'appointments'])
    expect(plainText('<script>alert(1)</script>')).toBe('<script>alert(1)</script>') // text, escaped by the renderer
  })

  it('stores vectors normalised, as float32 bytes', () => {
    const bytes = encodeVector([3, 4])!
    expect(bytes.byteLength).toBe(8)
    expect([...decodeVector(bytes)].map((x) => Number(x.toFixed(4)))).toEqual([0.6, 0.8])
    expect(encodeVector([0, 0])).toBeUndefined()
    expect(encodeVector([Number.NaN])).toBeUndefined()
  })
})

describe('listing', () => {
  const docs = [
    { path: 'a.md', size: 1, updated_at: '2026-01-01T00:00:00.000Z' },
    { path: 'notes/b.md', size: 2, updated_at: '2026-01-02T00:00:00.000Z' },
    { path: 'notes/deep/c.md', size: 3, updated_at: '2026-01-03T00:00:00.000Z' },
  ]

  it('builds the tree: every document and ancestor folder, sorted', () => {
    expect(buildTree(docs, '').map((e) => [e.path, e.is_dir])).toEqual([
      ['a.md', false], ['notes', true], ['notes/b.md', false], ['notes/deep', true], ['notes/deep/c.md', false],
    ])
    expect(buildTree(docs, '', 1).map((e) => e.path)).toEqual(['a.md', 'notes'])
  })

  it('lists folders first with their latest change', () => {
    expect(buildListing(docs, '')).toEqual([
      { name: 'notes', path: 'notes', is_dir: true, updated_at: '2026-01-03T00:00:00.000Z' },
      { name: 'a.md', path: 'a.md', is_dir: false, updated_at: '2026-01-01T00:00:00.000Z', size: 1 },
    ])
  })
})
