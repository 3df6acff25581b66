import type { SandboxRuntime } from '../../../src/index'
import { bwrapWorks, findBwrap } from './bwrap'
import { createNodeProcessPort } from './node-process-port'
import { createNodeWorkspaceFs } from './node-workspace-fs'

export { bwrapArgs, bwrapWorks, findBwrap } from './bwrap'
export { createNodeProcessPort } from './node-process-port'
export { createNodeWorkspaceFs } from './node-workspace-fs'

/**
 * Node's sandbox for jobs. `auto` picks bubblewrap when it is installed and works here (namespaces
 * allowed), else process-group isolation; `bwrap` insists on it (start-up fails without it);
 * `process` never uses it.
 */
export function createNodeSandbox(isolation: 'auto' | 'bwrap' | 'process' = 'auto'): SandboxRuntime {
  const bwrap = isolation === 'process' ? undefined : findBwrap()
  const usable = bwrap !== undefined && bwrapWorks(bwrap)
  if (isolation === 'bwrap' && !usable) {
    throw new Error('GATEWAY_JOB_ISOLATION=bwrap, but bubblewrap is not installed or cannot create namespaces here (apt-get install bubblewrap)')
  }
  return {
    fs: createNodeWorkspaceFs(),
    processes: createNodeProcessPort(usable ? { isolation: 'bwrap', bwrap } : { isolation: 'process' }),
  }
}
