import type { MemoryHighlight } from '../../protocol/memory'

const SNIPPET_LENGTH = 240
const LEAD = 40
const WORD = /[\p{L}\p{N}\p{M}]+/gu

/** Lowercase, accents removed, a few English suffixes stripped: close to what the indexes match. */
export function stem(word: string): string {
  const w = word.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()
  if (w.length <= 3) return w
  for (const [suffix, replacement] of [['ies', 'y'], ['ing', ''], ['ed', ''], ['es', ''], ['s', ''], ['ly', '']] as const) {
    if (w.endsWith(suffix) && w.length - suffix.length >= 3) return w.slice(0, -suffix.length) + replacement
  }
  return w
}

/** Markdown shown as plain text: link targets, emphasis markers, heading hashes and bullets go. */
export function plainText(markdown: string): string {
  return markdown
    .replace(/!?\[([^\]\n]*)\]\([^)\n]*\)/g, '$1')
    .replace(/^[ \t]*(?:#{1,6}[ \t]+|[-*+][ \t]+|>[ \t]?)/gm, '')
    .replace(/(\*\*|__|`+|~~)/g, '')
    .replace(/\s+/g, ' ')
    .trim()
}

/**
 * A plain-text snippet of a chunk around its densest cluster of query words, with the offsets of
 * those words. The web app renders it as text and marks the ranges itself, so nothing in a
 * document can inject markup through search results.
 */
export function buildSnippet(content: string, terms: readonly string[], length = SNIPPET_LENGTH): { snippet: string; highlights: MemoryHighlight[] } {
  const text = plainText(content)
  const wanted = new Set(terms.map(stem))
  const matches: MemoryHighlight[] = []
  for (const m of text.matchAll(WORD)) {
    if (wanted.has(stem(m[0]))) matches.push({ start: m.index!, end: m.index! + m[0].length })
  }
  if (text.length <= length) return { snippet: text, highlights: matches }

  // The window (starting a little before some match) that holds the most matches.
  let start = 0
  let best = -1
  for (const m of matches) {
    const from = Math.max(0, m.start - LEAD)
    const count = matches.filter((x) => x.start >= from && x.end <= from + length).length
    if (count > best) {
      best = count
      start = from
    }
  }
  start = Math.min(start, text.length - length)
  if (start > 0) {
    const space = text.indexOf(' ', start)
    if (space >= 0 && space < start + LEAD) start = space + 1
  }
  let end = Math.min(text.length, start + length)
  if (end < text.length) {
    const space = text.lastIndexOf(' ', end)
    if (space > start + length / 2) end = space
  }
  const prefix = start > 0 ? '…' : ''
  const snippet = prefix + text.slice(start, end) + (end < text.length ? '…' : '')
  const shift = prefix.length - start
  const highlights = matches
    .filter((m) => m.start >= start && m.end <= end)
    .map((m) => ({ start: m.start + shift, end: m.end + shift }))
  return { snippet, highlights }
}
