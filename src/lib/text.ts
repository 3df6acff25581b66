const encoder = new TextEncoder()

/**
 * Cuts text to at most `maxBytes` of UTF-8, at a character boundary (never inside a multi-byte
 * character or a surrogate pair), adding `suffix` when it cut.
 */
export function truncateBytes(text: string, maxBytes: number, suffix = '...'): string {
  if (text.length <= maxBytes / 3 || encoder.encode(text).length <= maxBytes) return text
  let bytes = 0
  let end = 0
  for (const ch of text) {
    const size = ch.codePointAt(0)! < 0x80 ? 1 : ch.codePointAt(0)! < 0x800 ? 2 : ch.codePointAt(0)! < 0x10000 ? 3 : 4
    if (bytes + size > maxBytes) break
    bytes += size
    end += ch.length
  }
  return text.slice(0, end) + suffix
}

const TITLE_CHARS = 100

/** A thread's title from its first message: one line, at most 100 characters; null when blank. */
export const titleOf = (message: string): string | null => {
  const line = message.replace(/\s+/g, ' ').trim()
  if (!line) return null
  const chars = [...line]
  return chars.length > TITLE_CHARS ? `${chars.slice(0, TITLE_CHARS).join('')}…` : line
}
