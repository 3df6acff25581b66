import type { FileEntry } from './directory'

export type ArchiveFormat = 'zip' | 'tar.gz'

/**
 * Bounds on unpacking an untrusted archive. Sizes count the bytes actually inflated, not what
 * the archive's headers claim, so a lying header cannot smuggle a bomb past them.
 */
export interface ArchiveLimits {
  maxEntries: number
  maxEntryBytes: number
  maxTotalBytes: number
}

export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = {
  maxEntries: 200,
  maxEntryBytes: 2 * 1024 * 1024,
  maxTotalBytes: 20 * 1024 * 1024,
}

/**
 * Unpacks an archive into memory (Node: `yauzl` for zip, `tar` for tar.gz). Implementations
 * check every entry with `checkRelativePath`, refuse symbolic and hard links, devices and
 * duplicate names, enforce the limits while inflating, and throw `ArchiveError` on any of it.
 * Directory entries are implied by file paths and not returned.
 */
export type UnpackArchive = (bytes: Uint8Array, format: ArchiveFormat, limits: ArchiveLimits) => Promise<FileEntry[]>

export class ArchiveError extends Error {
  override readonly name = 'ArchiveError'
}

/** Recognises an archive by its first bytes: zip (`PK\x03\x04`, or an empty zip) or gzip. */
export function sniffArchive(bytes: Uint8Array): ArchiveFormat | undefined {
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 0x03 || bytes[2] === 0x05)) return 'zip'
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) return 'tar.gz'
  return undefined
}
