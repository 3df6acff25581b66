import { GatewayError } from '../../lib/errors'

/** Bounds of a memory path. Documents live in the database, so these guard sanity, not a disk. */
export const PATH_LIMITS = { maxLength: 512, maxSegmentBytes: 255, maxDepth: 16 } as const

const encoder = new TextEncoder()

// C0/C1 controls, lone surrogates, line/paragraph separators and bidi overrides (which make a
// path display differently from what it is).
const FORBIDDEN_CHARS = /[\p{Cc}\p{Cs}\u2028\u2029\u202A-\u202E\u2066-\u2069\uFEFF]/u
// Slashes and dots that NFKC folds into `/`, `\` or `.`: refused so no later normalisation of a
// stored path (an export to disk, another client) can turn it into a traversal.
const LOOKALIKE_SEPARATORS = /[\uFF0F\uFF3C\u2215\u2044\u29F8\uFE68]/u
const DRIVE = /^[A-Za-z]:/

/** Why a path was refused; the message is safe to show (it never echoes the raw input). */
export class InvalidPathError extends GatewayError {
  constructor(reason: string) {
    super(400, 'invalid_path', `Invalid memory path: ${reason}`)
  }
}

/**
 * Normalises a memory path and validates it: NFC, relative, `/`-separated, no `.`/`..` segments,
 * no empty segments, no backslash, NUL, control or bidi characters, no drive letters, bounded
 * length, segment size and depth. One trailing `/` is accepted (a folder). `''` is the root and is
 * allowed only when `allowRoot` is set. Throws `InvalidPathError` (400 `invalid_path`).
 *
 * @example normalizeMemoryPath('notes/caf\u0065\u0301.md') // 'notes/café.md' (composed)
 */
export function normalizeMemoryPath(input: string, options: { allowRoot?: boolean } = {}): string {
  if (typeof input !== 'string') throw new InvalidPathError('not a string')
  if (FORBIDDEN_CHARS.test(input)) throw new InvalidPathError('control characters are not allowed')
  const path = input.normalize('NFC')
  if (path === '' || path === '/') {
    if (options.allowRoot) return ''
    throw new InvalidPathError('a document path is required')
  }
  if (path.length > PATH_LIMITS.maxLength) throw new InvalidPathError(`longer than ${PATH_LIMITS.maxLength} characters`)
  if (path.includes('\\')) throw new InvalidPathError('use "/" to separate folders, not "\\"')
  if (LOOKALIKE_SEPARATORS.test(path)) throw new InvalidPathError('look-alike slash characters are not allowed')
  if (path.startsWith('/')) throw new InvalidPathError('paths are relative to your memory root (no leading "/")')
  if (DRIVE.test(path)) throw new InvalidPathError('drive letters are not allowed')
  const trimmed = path.endsWith('/') ? path.slice(0, -1) : path
  const segments = trimmed.split('/')
  if (segments.length > PATH_LIMITS.maxDepth) throw new InvalidPathError(`deeper than ${PATH_LIMITS.maxDepth} levels`)
  for (const segment of segments) {
    if (segment === '') throw new InvalidPathError('empty path segment ("//")')
    const folded = segment.normalize('NFKC')
    if (folded === '.' || folded === '..') throw new InvalidPathError('"." and ".." segments are not allowed')
    if (segment.trim() !== segment) throw new InvalidPathError('a name may not start or end with whitespace')
    if (encoder.encode(segment).length > PATH_LIMITS.maxSegmentBytes) {
      throw new InvalidPathError(`a name is longer than ${PATH_LIMITS.maxSegmentBytes} bytes`)
    }
  }
  return trimmed
}

/** The folder prefix of a normalised folder path: `''` for the root, else `path + '/'`. */
export const folderPrefix = (folder: string): string => (folder === '' ? '' : `${folder}/`)

/**
 * The exclusive upper bound of every path that starts with `prefix` (which ends with `/`), for
 * index range scans: paths compare bytewise on both dialects (SQLite BINARY, PostgreSQL
 * `COLLATE "C"`), and `0` is the byte after `/`.
 */
export const prefixUpperBound = (prefix: string): string => `${prefix.slice(0, -1)}0`

/** Every ancestor folder of a path, nearest last: `a/b/c.md` -> `['a', 'a/b']`. */
export function ancestors(path: string): string[] {
  const segments = path.split('/')
  const out: string[] = []
  for (let i = 1; i < segments.length; i++) out.push(segments.slice(0, i).join('/'))
  return out
}

/** Orders strings by code point, the order the database sorts paths in (UTF-8 byte order). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x === y) continue
    // Surrogates (astral code points) sort after the rest of the BMP in code point order.
    const xs = x >= 0xd800 && x <= 0xdfff
    const ys = y >= 0xd800 && y <= 0xdfff
    if (xs !== ys) return xs ? 1 : -1
    return x - y
  }
  return a.length - b.length
}
