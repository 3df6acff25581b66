import type { ProcessPort, SandboxRuntime } from '../../../src/ports/sandbox'
import { bwrapWorks, findBwrap } from './bwrap'
import { createProcessPort } from './process-port'
import { createWorkspaceFs } from './workspace-fs'

export { bwrapArgs, bwrapWorks, findBwrap } from './bwrap'
export { createProcessPort } from './process-port'
export { createWorkspaceFs } from './workspace-fs'

/**
 * The sandbox for jobs, on Node, Bun and Deno alike. `auto` picks bubblewrap when it is installed
 * and works here (namespaces allowed), else process-group isolation; `bwrap` insists on it
 * (start-up fails without it); `process` never uses it. Finding out whether bubblewrap works
 * means starting it, so `auto` asks when a job first needs to know (or the status route asks),
 * not while the gateway starts.
 */
export function createSandbox(isolation: 'auto' | 'bwrap' | 'process' = 'auto'): SandboxRuntime {
  const bwrap = isolation === 'process' ? undefined : findBwrap()
  if (isolation === 'bwrap' && !(bwrap !== undefined && bwrapWorks(bwrap))) {
    throw new Error('GATEWAY_JOB_ISOLATION=bwrap, but bubblewrap is not installed or cannot create namespaces here (apt-get install bubblewrap)')
  }
  let port: ProcessPort | undefined
  const processes = (): ProcessPort =>
    (port ??= createProcessPort(bwrap !== undefined && bwrapWorks(bwrap) ? { isolation: 'bwrap', bwrap } : { isolation: 'process' }))
  return {
    fs: createWorkspaceFs(),
    processes: {
      get isolation() {
        return processes().isolation
      },
      spawn: (spec) => processes().spawn(spec),
    },
  }
}
