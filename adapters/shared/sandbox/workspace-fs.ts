import { constants, existsSync, promises as fsp } from 'node:fs'
import type { FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { isWithin } from '../../../src/services/jobs/workspace-path'
import { type WorkspaceDirEntry, WorkspacePathError, type WorkspaceFs, type WorkspaceStat } from '../../../src/ports/sandbox'

const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0
const O_DIRECTORY = constants.O_DIRECTORY ?? 0
// A job can leave a FIFO in its workspace; opening one without O_NONBLOCK would hang the request.
const O_NONBLOCK = constants.O_NONBLOCK ?? 0
const HAS_PROC_FD = existsSync('/proc/self/fd')

const codeOf = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code

const notFound = () => new WorkspacePathError('not_found', 'Path not found')
const outside = () => new WorkspacePathError('outside', 'Path leaves the workspace')

/** Maps the errors a path lookup can hit to workspace problems; anything else is a real failure. */
function pathError(error: unknown): Error {
  if (error instanceof WorkspacePathError) return error
  switch (codeOf(error)) {
    case 'ENOENT':
      return notFound()
    case 'ENOTDIR':
      return new WorkspacePathError('not_a_directory', 'A parent of the path is not a directory')
    case 'ELOOP':
      // O_NOFOLLOW met a symlink swapped in after the check, or a symlink loop.
      return outside()
    case 'EISDIR':
      return new WorkspacePathError('not_a_file', 'Path is a directory')
    case 'ENAMETOOLONG':
      return new WorkspacePathError('invalid', 'Path is too long')
    default:
      return error instanceof Error ? error : new Error(String(error))
  }
}

async function realRoot(root: string): Promise<string> {
  try {
    return await fsp.realpath(root)
  } catch (error) {
    if (codeOf(error) === 'ENOENT') throw new WorkspacePathError('not_found', 'Workspace not found')
    throw error
  }
}

/** Real location of an existing path, refused when it (or a symlink on the way) leads outside the root. */
async function resolveExisting(root: string, segments: readonly string[]): Promise<{ rootReal: string; real: string }> {
  const rootReal = await realRoot(root)
  let real: string
  try {
    real = await fsp.realpath(join(rootReal, ...segments))
  } catch (error) {
    throw pathError(error)
  }
  if (!isWithin(rootReal, real)) throw outside()
  return { rootReal, real }
}

/**
 * Checks the file actually opened, closing the gap between `realpath` and `open`: a directory on
 * the way swapped for a symlink in between would be caught here. Linux: the fd's own path through
 * /proc; elsewhere: same inode as the checked path.
 */
async function verifyOpened(handle: FileHandle, rootReal: string, checked: string): Promise<void> {
  if (HAS_PROC_FD) {
    const actual = (await fsp.readlink(`/proc/self/fd/${handle.fd}`)).replace(/ \(deleted\)$/, '')
    if (!isWithin(rootReal, actual)) throw outside()
    return
  }
  const [opened, current] = await Promise.all([handle.stat(), fsp.stat(checked)])
  if (opened.ino !== current.ino || opened.dev !== current.dev) throw outside()
}

async function openChecked(root: string, segments: readonly string[], flags: number): Promise<{ handle: FileHandle; rootReal: string; real: string }> {
  const { rootReal, real } = await resolveExisting(root, segments)
  let handle: FileHandle
  try {
    handle = await fsp.open(real, flags | O_NOFOLLOW | O_NONBLOCK)
  } catch (error) {
    throw pathError(error)
  }
  try {
    await verifyOpened(handle, rootReal, real)
    return { handle, rootReal, real }
  } catch (error) {
    await handle.close()
    throw error
  }
}

async function openRegularFile(root: string, segments: readonly string[]): Promise<{ handle: FileHandle; size: number }> {
  const { handle } = await openChecked(root, segments, constants.O_RDONLY)
  const stat = await handle.stat()
  if (!stat.isFile()) {
    await handle.close()
    throw new WorkspacePathError('not_a_file', stat.isDirectory() ? 'Path is a directory' : 'Not a regular file')
  }
  return { handle, size: stat.size }
}

const kindOf = (stat: { isFile(): boolean; isDirectory(): boolean }): WorkspaceStat['kind'] =>
  stat.isFile() ? 'file' : stat.isDirectory() ? 'directory' : 'other'

/** Confined workspace file access through `node:fs` (see `WorkspaceFs`). */
export function createWorkspaceFs(): WorkspaceFs {
  return {
    async ensureDir(path) {
      await fsp.mkdir(path, { recursive: true, mode: 0o700 })
      return fsp.realpath(path)
    },

    async removeTree(path) {
      // rm never follows symlinks inside the tree: a link to /etc is removed, not its target.
      await fsp.rm(path, { recursive: true, force: true, maxRetries: 3 })
    },

    async stat(root, segments) {
      const { real } = await resolveExisting(root, segments)
      const stat = await fsp.stat(real).catch((error: unknown) => {
        throw pathError(error)
      })
      return { kind: kindOf(stat), size: stat.size, modifiedMs: stat.mtimeMs }
    },

    async list(root, segments) {
      const { handle, rootReal, real } = await openChecked(root, segments, constants.O_RDONLY | O_DIRECTORY)
      try {
        // Read the directory through the verified descriptor, not by name again.
        const dir = HAS_PROC_FD ? `/proc/self/fd/${handle.fd}` : real
        const dirents = await fsp.readdir(dir, { withFileTypes: true }).catch((error: unknown) => {
          throw pathError(error)
        })
        const entries: WorkspaceDirEntry[] = []
        for (const dirent of dirents) {
          const path = join(real, dirent.name)
          try {
            if (dirent.isSymbolicLink()) {
              const target = await fsp.realpath(path)
              if (!isWithin(rootReal, target)) {
                entries.push({ name: dirent.name, kind: 'symlink', size: null, modifiedMs: null })
                continue
              }
              const stat = await fsp.stat(target)
              const kind = kindOf(stat)
              entries.push({ name: dirent.name, kind: kind === 'other' ? 'other' : kind, size: stat.isFile() ? stat.size : null, modifiedMs: stat.mtimeMs })
              continue
            }
            const stat = await fsp.lstat(path)
            entries.push({ name: dirent.name, kind: kindOf(stat), size: stat.isFile() ? stat.size : null, modifiedMs: stat.mtimeMs })
          } catch {
            // Vanished or dangling while listing: show the name only.
            entries.push({ name: dirent.name, kind: dirent.isSymbolicLink() ? 'symlink' : 'other', size: null, modifiedMs: null })
          }
        }
        return entries
      } finally {
        await handle.close()
      }
    },

    async read(root, segments, maxBytes) {
      const { handle, size } = await openRegularFile(root, segments)
      try {
        const length = Math.min(size, maxBytes)
        const bytes = new Uint8Array(length)
        let offset = 0
        while (offset < length) {
          const { bytesRead } = await handle.read(bytes, offset, length - offset, offset)
          if (bytesRead === 0) break
          offset += bytesRead
        }
        return { bytes: offset === length ? bytes : bytes.subarray(0, offset), size }
      } finally {
        await handle.close()
      }
    },

    async open(root, segments) {
      const { handle, size } = await openRegularFile(root, segments)
      // The stream owns the handle from here and closes it at the end or on cancel.
      const stream = handle.createReadStream({ autoClose: true })
      return { body: Readable.toWeb(stream) as unknown as ReadableStream<Uint8Array>, size }
    },

    async write(root, segments, bytes, options = {}) {
      const name = segments.at(-1)
      if (name === undefined) throw new WorkspacePathError('invalid', 'A file name is required')
      const rootReal = await realRoot(root)
      // Walk (and create) the parent directories one at a time, resolving each for real, so a
      // symlinked parent pointing outside is refused before anything is created through it.
      let dir = rootReal
      for (const segment of segments.slice(0, -1)) {
        const next = join(dir, segment)
        try {
          await fsp.mkdir(next, { mode: 0o700 })
        } catch (error) {
          if (codeOf(error) !== 'EEXIST') throw pathError(error)
        }
        const real = await fsp.realpath(next).catch((error: unknown) => {
          throw pathError(error)
        })
        if (!isWithin(rootReal, real)) throw outside()
        const stat = await fsp.stat(real).catch((error: unknown) => {
          throw pathError(error)
        })
        if (!stat.isDirectory()) throw new WorkspacePathError('not_a_directory', `${segment} is not a directory`)
        dir = real
      }
      let target = join(dir, name)
      const existing = await fsp.lstat(target).catch(() => undefined)
      if (existing?.isSymbolicLink()) {
        // Writing through a link is allowed only when it resolves inside the workspace.
        const real = await fsp.realpath(target).catch(() => {
          throw outside()
        })
        if (!isWithin(rootReal, real)) throw outside()
        target = real
      }
      let handle: FileHandle
      try {
        // No O_TRUNC before the check: a file outside is never modified even if a race got us there.
        handle = await fsp.open(target, constants.O_WRONLY | constants.O_CREAT | O_NOFOLLOW | O_NONBLOCK | (options.append ? constants.O_APPEND : 0), 0o600)
      } catch (error) {
        throw pathError(error)
      }
      try {
        await verifyOpened(handle, rootReal, target)
        const stat = await handle.stat()
        if (!stat.isFile()) throw new WorkspacePathError('not_a_file', 'Not a regular file')
        if (!options.append) await handle.truncate(0)
        let offset = 0
        while (offset < bytes.length) {
          const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset, options.append ? null : offset)
          offset += bytesWritten
        }
        return { size: (await handle.stat()).size }
      } finally {
        await handle.close()
      }
    },
  }
}
