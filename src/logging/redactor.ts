import { maskUrlCapabilities } from '../lib/url-capabilities'

const MASK = '[REDACTED]'

/** Values shorter than this are not registered: masking them would garble ordinary words. */
const MIN_SECRET_LENGTH = 4

/** Names whose values are credentials, as `name=value`, `name: value` or `"name":"value"`. */
const SENSITIVE_NAME =
  '(?:access_token|refresh_token|id_token|auth_token|api[_-]?key|apikey|client_secret|secret|password|passwd|token|authorization|x-api-key)'

/**
 * Known credential shapes, replaced wherever they appear. Ordered so the narrow ones (a bearer
 * header, a `token=` query parameter) run before the catch-alls.
 */
const PATTERNS: ReadonlyArray<readonly [RegExp, string]> = [
  // `Authorization: Bearer <token>` and any "bearer <token>" in prose.
  [/\b(bearer)(\s+)[^\s"',;)]+/gi, `$1$2${MASK}`],
  [/\b(basic)(\s+)[A-Za-z0-9+/=]{8,}/gi, `$1$2${MASK}`],
  // `?token=...`, `&api_key=...` in URLs and `key=value` fields.
  [new RegExp(`(?<![A-Za-z0-9_])(${SENSITIVE_NAME})=([^&\\s"'#,;]+)`, 'gi'), `$1=${MASK}`],
  // JSON and header forms: `"token":"..."`, `password: ...`.
  [new RegExp(`("?(?<![A-Za-z0-9_])${SENSITIVE_NAME}"?\\s*:\\s*"?)(?!bearer\\b|basic\\b|\\[REDACTED\\])([^"\\s,}]+)`, 'gi'), `$1${MASK}`],
  // Provider keys: OpenAI/Anthropic `sk-...`, GitHub, Slack, AWS, Google.
  [/\bsk-[A-Za-z0-9_-]{8,}/g, MASK],
  [/\bgh[pousr]_[A-Za-z0-9]{20,}/g, MASK],
  [/\bxox[abprs]-[A-Za-z0-9-]{10,}/g, MASK],
  [/\bAKIA[0-9A-Z]{16}\b/g, MASK],
  [/\bAIza[0-9A-Za-z_-]{35}\b/g, MASK],
  // JWTs.
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, MASK],
  // This gateway's API tokens (64 hex) and anything shaped like them (SHA-256 digests).
  [/\b[0-9a-fA-F]{64}\b/g, MASK],
]

/**
 * Scrubs credentials out of text before it leaves the process (log sinks, the live log stream).
 * Pattern-based for well-known token shapes, plus exact values registered at run time (the
 * owner token, the master key, every stored secret), in their raw, JSON-escaped and URL-encoded
 * spellings.
 */
export class Redactor {
  /** Secret value -> how many holders registered it (two users may share one value). */
  readonly #values = new Map<string, number>()
  #variants: string[] = []
  /** Variants are rebuilt lazily, so registering many values at start-up stays linear. */
  #dirty = false

  /** Registers an exact value to mask wherever it appears. */
  add(value: string): void {
    if (value.length < MIN_SECRET_LENGTH) return
    this.#values.set(value, (this.#values.get(value) ?? 0) + 1)
    this.#dirty = true
  }

  /** Undoes one `add` of the value. */
  remove(value: string): void {
    const count = this.#values.get(value)
    if (count === undefined) return
    if (count > 1) this.#values.set(value, count - 1)
    else this.#values.delete(value)
    this.#dirty = true
  }

  get size(): number {
    return this.#values.size
  }

  redact(text: string): string {
    if (this.#dirty) this.#rebuild()
    let out = maskUrlCapabilities(this.#variants.length > 0 ? maskSpans(text, this.#variants) : text)
    for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement)
    return out
  }

  #rebuild(): void {
    this.#dirty = false
    const variants = new Set<string>()
    for (const value of this.#values.keys()) {
      variants.add(value)
      variants.add(JSON.stringify(value).slice(1, -1))
      variants.add(encodeURIComponent(value))
    }
    this.#variants = [...variants].filter((v) => v.length >= MIN_SECRET_LENGTH)
  }
}

/**
 * Masks every occurrence of every value, found in the original text first and merged where they
 * overlap, so two secrets sharing characters cannot leave a fragment of either behind.
 */
function maskSpans(text: string, values: readonly string[]): string {
  const spans: Array<[number, number]> = []
  for (const value of values) {
    for (let at = text.indexOf(value); at >= 0; at = text.indexOf(value, at + 1)) spans.push([at, at + value.length])
  }
  if (spans.length === 0) return text
  spans.sort((a, b) => a[0] - b[0])
  let out = ''
  let cursor = 0
  let [start, end] = spans[0]!
  for (const [s, e] of spans.slice(1)) {
    if (s <= end) end = Math.max(end, e)
    else {
      out += text.slice(cursor, start) + MASK
      cursor = end
      ;[start, end] = [s, e]
    }
  }
  return out + text.slice(cursor, start) + MASK + text.slice(end)
}
