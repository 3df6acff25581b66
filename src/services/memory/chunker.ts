/** A piece of a document indexed for search: an exact slice `[start, end)` of its content. */
export interface Chunk {
  ordinal: number
  /** The headings the chunk sits under, outermost first, joined with ` > ` (`''` at top level). */
  heading: string
  content: string
  start: number
  end: number
}

export interface ChunkOptions {
  /** Upper bound of a chunk's length in characters. */
  maxChars: number
  /** Characters repeated from the end of the previous chunk when a section is split. */
  overlapChars: number
  /** A chunk shorter than this absorbs the next section instead of ending at its heading. */
  minChars: number
}

export const DEFAULT_CHUNK_OPTIONS: ChunkOptions = { maxChars: 1200, overlapChars: 150, minChars: 200 }

interface Block {
  start: number
  end: number
  /** Set on a heading line: its level and text. */
  heading?: { level: number; text: string }
}

const HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t#]*$/
const FENCE = /^ {0,3}(`{3,}|~{3,})/
/** A longer "heading" line is treated as a paragraph, so it can be cut like one. */
const MAX_HEADING_LINE = 300

/**
 * Splits markdown into blocks: headings, fenced code (kept whole, blank lines included) and
 * paragraphs (runs of non-blank lines). Offsets index the original text.
 */
function blocks(text: string): Block[] {
  const out: Block[] = []
  let fence: string | undefined
  let para: Block | undefined
  let offset = 0
  const flush = () => {
    if (para) out.push(para)
    para = undefined
  }
  for (const line of text.split('\n')) {
    const start = offset
    const end = offset + line.length
    offset = end + 1
    if (fence !== undefined) {
      para!.end = end
      if (line.trimStart().startsWith(fence)) {
        fence = undefined
        flush()
      }
      continue
    }
    const fenceMatch = FENCE.exec(line)
    if (fenceMatch) {
      flush()
      fence = fenceMatch[1]!
      para = { start, end }
      continue
    }
    const heading = line.length <= MAX_HEADING_LINE ? HEADING.exec(line) : null
    if (heading) {
      flush()
      out.push({ start, end, heading: { level: heading[1]!.length, text: (heading[2] ?? '').trim() } })
      continue
    }
    if (line.trim() === '') {
      flush()
      continue
    }
    if (para) para.end = end
    else para = { start, end }
  }
  flush()
  return out
}

/** Where to cut a run of text that is too long: the last paragraph, line, sentence or word break. */
function cutPoint(text: string, from: number, limit: number): number {
  const window = text.slice(from, limit)
  for (const pattern of [/\n\s*\n/g, /\n/g, /[.!?。！？]\s/g, /\s/g]) {
    let last = -1
    for (const m of window.matchAll(pattern)) if (m.index! > window.length / 3) last = m.index! + m[0].length
    if (last > 0) return from + last
  }
  return limit
}

/** Moves a start offset forward to the beginning of a word, so an overlap does not start mid-word. */
function wordStart(text: string, at: number, limit: number): number {
  if (at <= 0 || /\s/.test(text[at - 1]!)) return at
  const next = text.slice(at, limit).search(/\s\S/)
  return next < 0 ? at : at + next + 1
}

/**
 * Splits a markdown document into chunks for search. Headings start a new chunk (the trail of
 * headings is kept with each chunk); a long section is packed paragraph by paragraph up to
 * `maxChars`, with `overlapChars` of the previous chunk repeated; an oversized paragraph is cut at
 * the last line, sentence or word break. Every chunk is an exact slice of the text, so offsets
 * map back to the document.
 */
export function chunkMarkdown(text: string, options: ChunkOptions = DEFAULT_CHUNK_OPTIONS): Chunk[] {
  const { maxChars, overlapChars, minChars } = options
  // Each cut lands past a third of the window, so this keeps every split moving forward.
  if (maxChars < 3 * overlapChars + 3) throw new Error('chunk maxChars must exceed 3 x overlapChars')
  const chunks: Chunk[] = []
  const trail: Array<{ level: number; text: string }> = []
  let current: { start: number; end: number; heading: string } | undefined

  const emit = () => {
    if (!current) return
    const content = text.slice(current.start, current.end)
    if (content.trim() !== '') chunks.push({ ordinal: chunks.length, heading: current.heading, content, start: current.start, end: current.end })
    current = undefined
  }
  // Ends the current chunk and starts the next one `overlapChars` before its end.
  const split = (heading: string) => {
    const end = current!.end
    const overlapStart = wordStart(text, Math.max(current!.start, end - overlapChars), end)
    emit()
    current = overlapStart < end ? { start: overlapStart, end, heading } : undefined
  }

  const trailText = () => trail.map((h) => h.text).filter(Boolean).join(' > ')
  for (const block of blocks(text)) {
    if (block.heading) {
      while (trail.length > 0 && trail.at(-1)!.level >= block.heading.level) trail.pop()
      trail.push(block.heading)
      const heading = trailText()
      if (current && current.end - current.start >= minChars) emit()
      if (current) {
        current.end = block.end
        current.heading ||= heading
      } else current = { start: block.start, end: block.end, heading }
      continue
    }
    const heading = trailText()
    if (current && block.end - current.start > maxChars) split(heading)
    current ??= { start: block.start, end: block.start, heading }
    // A block longer than what is left: cut it at natural breaks until the rest fits.
    let from = block.start
    while (block.end - current.start > maxChars) {
      const cut = cutPoint(text, Math.max(from, current.start), current.start + maxChars)
      current.end = cut > current.start ? cut : current.start + maxChars
      from = current.end
      split(heading)
      current ??= { start: from, end: from, heading }
    }
    current.end = block.end
  }
  emit()
  return chunks
}

/** The text embedded for a chunk: its headings give the words context. */
export const embeddingText = (chunk: { heading: string; content: string }): string =>
  chunk.heading ? `${chunk.heading}\n\n${chunk.content}` : chunk.content
