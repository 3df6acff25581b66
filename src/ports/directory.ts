/**
 * A directory tree the core may read and write (installed skills, extension workspaces), opened
 * by the runtime adapter at an absolute root. Paths are relative and `/`-separated; the adapter
 * refuses `..`, absolute paths, backslashes, NUL and symbolic links on the way, so nothing the
 * core is given can reach outside the root.
 */
export interface DirectoryPort {
  /** The absolute root (given to child processes as a working directory or argument). */
  readonly root: string
  /** A UTF-8 file, or undefined when it does not exist. Larger than `maxBytes` is an error. */
  readText(path: string, maxBytes: number): Promise<string | undefined>
  /** The entries of a directory (`[]` when it does not exist), sorted by name. */
  list(path: string): Promise<DirectoryEntry[]>
  /** Creates a directory (and its parents); returns its absolute path. */
  ensureDir(path: string): Promise<string>
  /**
   * Writes `files` into a fresh temporary directory inside the root, then renames it to `path`
   * in one step, so a reader sees the whole tree or nothing. Refuses (`DirectoryExistsError`) when
   * `path` exists, unless `replace` is set.
   */
  writeDirAtomic(path: string, files: ReadonlyArray<FileEntry>, options?: { replace?: boolean }): Promise<void>
  /** Removes a directory tree; false when it did not exist. */
  removeDir(path: string): Promise<boolean>
}

export interface DirectoryEntry {
  name: string
  kind: 'file' | 'dir' | 'symlink' | 'other'
}

export interface FileEntry {
  /** Relative, `/`-separated (checked with `checkRelativePath`). */
  path: string
  data: Uint8Array
}

/** Opens a directory port at an absolute or working-directory-relative root (created on first write). */
export type OpenDirectory = (root: string) => DirectoryPort

export class DirectoryExistsError extends Error {
  override readonly name = 'DirectoryExistsError'
}

export class UnsafePathError extends Error {
  override readonly name = 'UnsafePathError'
}

const WINDOWS_DRIVE = /^[a-zA-Z]:/

/**
 * Normalises a relative path from an untrusted source (an archive entry, a request) or throws
 * `UnsafePathError`: no absolute paths, drive letters, backslashes, NUL or other control
 * characters, `..` segments, or empty names. `./` segments and a trailing `/` are dropped.
 */
export function checkRelativePath(raw: string): string {
  if (raw.length === 0 || raw.length > 1024) throw new UnsafePathError('empty or overlong path')
  if (/[\u0000-\u001f\u007f]/.test(raw)) throw new UnsafePathError(`control character in path ${JSON.stringify(raw)}`)
  if (raw.includes('\\')) throw new UnsafePathError(`backslash in path ${JSON.stringify(raw)}`)
  if (raw.startsWith('/') || WINDOWS_DRIVE.test(raw)) throw new UnsafePathError(`absolute path ${JSON.stringify(raw)}`)
  const parts = raw.split('/').filter((part, i, all) => part !== '.' && !(part === '' && i === all.length - 1))
  if (parts.length === 0) throw new UnsafePathError(`empty path ${JSON.stringify(raw)}`)
  for (const part of parts) {
    if (part === '' || part === '..') throw new UnsafePathError(`path escapes its directory: ${JSON.stringify(raw)}`)
  }
  return parts.join('/')
}
