import type { WorkspaceFs } from '../../ports/sandbox'
import type { JobWorkspace } from './port'
import { byDirThenName, inWorkspace } from './workspace-files'
import { parseUrlPath } from './workspace-path'

/** A job's workspace directory as `/projects/...` serves it, path problems turned into HTTP errors. */
export function jobWorkspace(fs: WorkspaceFs, root: string): JobWorkspace {
  return {
    segments: (rawTail) => inWorkspace(async () => parseUrlPath(rawTail)),
    stat: (path) => inWorkspace(() => fs.stat(root, path)),
    list: async (path) => (await inWorkspace(() => fs.list(root, path))).sort(byDirThenName),
    open: (path) => inWorkspace(() => fs.open(root, path)),
  }
}
