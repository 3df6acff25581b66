import type { SandboxRuntime } from '../../../src/ports/sandbox'
import { bwrapWorks, findBwrap } from './bwrap'
import { createProcessPort } from './process-port'
import { createWorkspaceFs } from './workspace-fs'

export { bwrapArgs, bwrapWorks, findBwrap } from './bwrap'
export { createProcessPort } from './process-port'
export { createWorkspaceFs } from './workspace-fs'

/**
 * The sandbox for jobs, on Node, Bun and Deno alike. `auto` picks bubblewrap when it is installed
 * and works here (namespaces allowed), else process-group isolation; `bwrap` insists on it
 * (start-up fails without it); `process` never uses it.
 */
export function createSandbox(isolation: 'auto' | 'bwrap' | 'process' = 'auto'): SandboxRuntime {
  const bwrap = isolation === 'process' ? undefined : findBwrap()
  const usable = bwrap !== undefined && bwrapWorks(bwrap)
  if (isolation === 'bwrap' && !usable) {
    throw new Error('GATEWAY_JOB_ISOLATION=bwrap, but bubblewrap is not installed or cannot create namespaces here (apt-get install bubblewrap)')
  }
  return {
    fs: createWorkspaceFs(),
    processes: createProcessPort(usable ? { isolation: 'bwrap', bwrap } : { isolation: 'process' }),
  }
}
