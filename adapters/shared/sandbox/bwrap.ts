import { spawnSync } from 'node:child_process'
import { accessSync, constants, existsSync, lstatSync, readlinkSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import type { ProcessSpec } from '../../../src/ports/sandbox'

/** System directories every sandboxed command sees read-only (programs, libraries, certificates). */
const SYSTEM_DIRS = ['/usr', '/etc']
/** Often symlinks into /usr on merged-/usr systems; recreated as symlinks, else bound read-only. */
const MAYBE_LINKS = ['/bin', '/sbin', '/lib', '/lib32', '/lib64']

/** Finds an executable `bwrap` (Debian package `bubblewrap`) on PATH or in the usual places. */
export function findBwrap(path = process.env.PATH ?? ''): string | undefined {
  const dirs = [...path.split(delimiter).filter(Boolean), '/usr/bin', '/bin', '/usr/local/bin']
  for (const dir of dirs) {
    const candidate = join(dir, 'bwrap')
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {
      // keep looking
    }
  }
  return undefined
}

/**
 * bubblewrap arguments for a command: new user, pid, ipc, uts, cgroup and (unless allowed)
 * network namespaces; the system directories read-only; a private /tmp, /proc and /dev; only the
 * job's directories writable. The gateway's data directory (its database, other jobs) is not
 * mounted at all. The child dies with its parent, and gets its own session (no TIOCSTI into ours).
 */
export function bwrapArgs(spec: Pick<ProcessSpec, 'cwd' | 'writable' | 'readOnly' | 'network'>): string[] {
  const args = ['--die-with-parent', '--new-session', '--unshare-all', '--cap-drop', 'ALL']
  if (spec.network) args.push('--share-net')
  for (const dir of SYSTEM_DIRS) args.push('--ro-bind-try', dir, dir)
  for (const dir of MAYBE_LINKS) {
    if (!existsSync(dir)) continue
    const stat = lstatSync(dir)
    if (stat.isSymbolicLink()) args.push('--symlink', readlinkSync(dir), dir)
    else args.push('--ro-bind', dir, dir)
  }
  args.push('--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp')
  for (const dir of spec.readOnly ?? []) args.push('--ro-bind-try', dir, dir)
  for (const dir of spec.writable) args.push('--bind', dir, dir)
  args.push('--chdir', spec.cwd)
  return args
}

/**
 * Whether bubblewrap actually works here: installed is not enough (containers often forbid the
 * namespaces it needs), so run `true` inside the same kind of sandbox jobs get.
 */
export function bwrapWorks(bwrap: string): boolean {
  const known = probed.get(bwrap)
  if (known !== undefined) return known
  const probe = spawnSync(bwrap, [...bwrapArgs({ cwd: '/', writable: [], network: false }), '--', 'true'], {
    stdio: 'ignore',
    timeout: 5_000,
    env: { PATH: '/usr/bin:/bin' },
  })
  probed.set(bwrap, probe.status === 0)
  return probe.status === 0
}

const probed = new Map<string, boolean>()
