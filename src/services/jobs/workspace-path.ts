import { WorkspacePathError } from '../../ports/sandbox'

const MAX_PATH = 4096
const MAX_SEGMENT_BYTES = 255
const CONTROL = /[\u0000-\u001f\u007f]/
const encoder = new TextEncoder()

/**
 * Turns a user-supplied workspace path into safe segments, lexically: the first of two checks
 * (the adapter then resolves symlinks and checks the real location). The workspace is the root:
 * a leading `/` means the workspace root, `.` and empty segments are dropped, `..` goes up but
 * never above the root.
 *
 * Refused: NUL and control characters, backslashes (`..\x`, `C:\x`, `\\host\share`), overlong
 * paths or names (`invalid`); `..` climbing above the root (`outside`).
 */
export function parseWorkspacePath(input: string): string[] {
  if (input.length > MAX_PATH) throw new WorkspacePathError('invalid', 'Path is too long')
  if (CONTROL.test(input)) throw new WorkspacePathError('invalid', 'Path contains control characters')
  if (input.includes('\\')) throw new WorkspacePathError('invalid', 'Use / to separate path segments')
  return normalizeSegments(input.split('/'))
}

/**
 * The segments of a URL path tail (`/projects/<id>/<tail>`), each percent-decoded exactly once.
 * A segment that decodes to something containing `/` or `\` (`..%2f`, `..%5c`) or a control
 * character (`%00`) is `invalid`; `%252e` stays the literal name `%2e`.
 */
export function parseUrlPath(rawTail: string): string[] {
  if (rawTail.length > MAX_PATH * 3) throw new WorkspacePathError('invalid', 'Path is too long')
  const segments = rawTail.split('/').map((raw) => {
    let decoded: string
    try {
      decoded = decodeURIComponent(raw)
    } catch {
      throw new WorkspacePathError('invalid', 'Malformed percent-encoding in path')
    }
    if (decoded.includes('/') || decoded.includes('\\')) throw new WorkspacePathError('invalid', 'Encoded path separators are not allowed')
    if (CONTROL.test(decoded)) throw new WorkspacePathError('invalid', 'Path contains control characters')
    return decoded
  })
  return normalizeSegments(segments)
}

function normalizeSegments(parts: readonly string[]): string[] {
  const out: string[] = []
  for (const part of parts) {
    if (part === '' || part === '.') continue
    if (part === '..') {
      if (out.length === 0) throw new WorkspacePathError('outside', 'Path leaves the workspace')
      out.pop()
      continue
    }
    if (encoder.encode(part).length > MAX_SEGMENT_BYTES) throw new WorkspacePathError('invalid', 'A path segment is too long')
    out.push(part)
  }
  return out
}

/** The `/`-joined relative form of segments (`''` for the root). */
export const joinSegments = (segments: readonly string[]): string => segments.join('/')

/**
 * Whether `target` is `root` or inside it. Both must be absolute, normalised POSIX paths. Compares
 * whole segments, so `/w/job1` does not contain `/w/job10` (the naive `startsWith` bug).
 */
export function isWithin(root: string, target: string): boolean {
  if (target === root) return true
  const prefix = root.endsWith('/') ? root : `${root}/`
  return target.startsWith(prefix)
}
