/** How deeply objects and arrays may nest in a request body or a WebSocket frame. */
export const MAX_JSON_DEPTH = 64

/**
 * Whether JSON text nests objects and arrays deeper than `max`, read without parsing (brackets
 * inside strings do not count). Validators recurse once per level, so a 10 KB body nested 5,000
 * deep would overflow their stack; this check runs first. Text shorter than `max` characters
 * cannot nest that deep and is not scanned.
 */
export function exceedsJsonDepth(text: string, max = MAX_JSON_DEPTH): boolean {
  if (text.length <= max) return false
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 92 /* \ */) i++
      else if (c === 34 /* " */) inString = false
    } else if (c === 34) inString = true
    else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > max) return true
    } else if (c === 125 /* } */ || c === 93 /* ] */) depth--
  }
  return false
}
