import { GatewayError } from '../../lib/errors'
import type { WorkspaceEntry, WorkspaceFile } from '../../protocol/jobs'
import { type WorkspaceDirEntry, WorkspacePathError, type WorkspaceFs } from '../../ports/sandbox'
import { decodeText } from './text-file'
import { joinSegments, parseWorkspacePath } from './workspace-path'

/** A refused or missing workspace path as an HTTP error: 400 malformed, 403 outside, 404 missing. */
function workspaceHttpError(error: unknown): unknown {
  if (!(error instanceof WorkspacePathError)) return error
  switch (error.problem) {
    case 'invalid':
      return new GatewayError(400, 'invalid_path', error.message)
    case 'outside':
      return new GatewayError(403, 'forbidden', 'Forbidden')
    case 'not_found':
      return new GatewayError(404, 'path_not_found', 'Path not found')
    case 'not_a_file':
      return new GatewayError(400, 'not_a_file', 'Path is not a file')
    case 'not_a_directory':
      return new GatewayError(400, 'not_a_directory', 'Path is not a directory')
    case 'too_large':
      return new GatewayError(413, 'file_too_large', error.message)
  }
}

/** Runs a workspace operation, turning path problems into HTTP errors. */
export async function inWorkspace<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation()
  } catch (error) {
    throw workspaceHttpError(error)
  }
}

/** Directories first, then by name (the original gateway's order). */
export const byDirThenName = (a: WorkspaceDirEntry, b: WorkspaceDirEntry): number =>
  Number(b.kind === 'directory') - Number(a.kind === 'directory') || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)

/** `GET /api/jobs/{id}/files/list` and `/files/read` over a confined `WorkspaceFs`. */
export class WorkspaceFiles {
  constructor(
    private readonly fs: WorkspaceFs,
    private readonly readCap: number,
  ) {}

  list(root: string, path: string): Promise<{ path: string; entries: WorkspaceEntry[] }> {
    return inWorkspace(async () => {
      const segments = parseWorkspacePath(path)
      const entries = (await this.fs.list(root, segments)).sort(byDirThenName)
      const base = joinSegments(segments)
      return {
        path: base,
        entries: entries.map((e) => ({
          name: e.name,
          path: base ? `${base}/${e.name}` : e.name,
          is_dir: e.kind === 'directory',
          size: e.size,
          modified_at: e.modifiedMs === null ? null : new Date(e.modifiedMs).toISOString(),
        })),
      }
    })
  }

  read(root: string, path: string): Promise<WorkspaceFile> {
    return inWorkspace(async () => {
      const segments = parseWorkspacePath(path)
      if (segments.length === 0) throw new WorkspacePathError('not_a_file', 'Path is a directory')
      const { bytes, size } = await this.fs.read(root, segments, this.readCap)
      const truncated = size > bytes.length
      const content = decodeText(bytes, truncated)
      return { path: joinSegments(segments), content, size, binary: content === null, truncated: content !== null && truncated }
    })
  }
}
