import { badRequest } from '../../lib/errors'
import type { MemoryListEntry, MemoryTreeEntry } from '../../protocol/memory'
import { compareCodePoints } from './memory-path'

/** What listing needs of a document. */
export interface DocumentSummary {
  path: string
  size: number
  updated_at: string
}

/**
 * The tree under a folder (`prefix` is `''` or ends with `/`): every document and every folder
 * that holds one, sorted by path, down to `depth` levels below the folder.
 */
export function buildTree(docs: readonly DocumentSummary[], prefix: string, depth = Number.POSITIVE_INFINITY): MemoryTreeEntry[] {
  const entries = new Map<string, MemoryTreeEntry>()
  for (const doc of docs) {
    const segments = doc.path.slice(prefix.length).split('/')
    const dirs = Math.min(segments.length - 1, depth)
    for (let i = 1; i <= dirs; i++) {
      const path = prefix + segments.slice(0, i).join('/')
      if (!entries.has(path)) entries.set(path, { path, is_dir: true })
    }
    if (segments.length <= depth) entries.set(doc.path, { path: doc.path, is_dir: false, size: doc.size, updated_at: doc.updated_at })
  }
  return [...entries.values()].sort((a, b) => compareCodePoints(a.path, b.path))
}

/**
 * The direct children of a folder: sub-folders (with the latest change beneath them) first, then
 * documents, each group by name.
 */
export function buildListing(docs: readonly DocumentSummary[], prefix: string): MemoryListEntry[] {
  const folders = new Map<string, MemoryListEntry>()
  const files: MemoryListEntry[] = []
  for (const doc of docs) {
    const rest = doc.path.slice(prefix.length)
    const slash = rest.indexOf('/')
    if (slash < 0) {
      files.push({ name: rest, path: doc.path, is_dir: false, updated_at: doc.updated_at, size: doc.size })
      continue
    }
    const name = rest.slice(0, slash)
    const folder = folders.get(name)
    if (!folder) folders.set(name, { name, path: prefix + name, is_dir: true, updated_at: doc.updated_at })
    else if (doc.updated_at > (folder.updated_at ?? '')) folder.updated_at = doc.updated_at
  }
  const byName = (a: MemoryListEntry, b: MemoryListEntry) => compareCodePoints(a.name, b.name)
  return [...[...folders.values()].sort(byName), ...files.sort(byName)]
}

/** Opaque list cursor: the kind and name of the last entry of the previous page. */
export function encodeCursor(entry: MemoryListEntry): string {
  const bytes = new TextEncoder().encode(`${entry.is_dir ? 'd' : 'f'}:${entry.name}`)
  let binary = ''
  for (const b of bytes) binary += String.fromCharCode(b)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/** Index of the first entry after the cursor; 400 `invalid_cursor` for a cursor we did not make. */
export function startAfterCursor(entries: readonly MemoryListEntry[], cursor: string | undefined): number {
  if (cursor === undefined || cursor === '') return 0
  let decoded: string
  try {
    const binary = atob(cursor.replace(/-/g, '+').replace(/_/g, '/'))
    decoded = new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)))
  } catch {
    throw badRequest('invalid_cursor', 'The cursor is not one this server returned')
  }
  const kind = decoded.slice(0, 2)
  const name = decoded.slice(2)
  if (kind !== 'd:' && kind !== 'f:') throw badRequest('invalid_cursor', 'The cursor is not one this server returned')
  const isDir = kind === 'd:'
  // First entry that sorts after the cursor (the entry itself may be gone since).
  const index = entries.findIndex((e) => (e.is_dir === isDir ? compareCodePoints(e.name, name) > 0 : !e.is_dir && isDir))
  return index < 0 ? entries.length : index
}

