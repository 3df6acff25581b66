import type { IsolationMode, ProcessSpec, RunningProcess } from '../../ports/sandbox'

/** A job's directories on disk: `<dataDir>/jobs/<workspace id>/{workspace,tmp}`, canonical. */
export interface JobDirs {
  jobId: string
  userId: string
  workspace: string
  tmp: string
}

const SAFE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

/**
 * The whole environment a job's command gets: nothing from the gateway's own (no tokens, database
 * URL or provider keys), only what a build needs. Under bwrap /tmp is private to the command;
 * otherwise the job's own temp directory stands in for it.
 */
function commandEnv(dirs: JobDirs, isolation: IsolationMode): Record<string, string> {
  const tmp = isolation === 'bwrap' ? '/tmp' : dirs.tmp
  return {
    PATH: SAFE_PATH,
    HOME: dirs.workspace,
    TMPDIR: tmp,
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    TERM: 'dumb',
    NO_COLOR: '1',
    CI: '1',
    JOB_ID: dirs.jobId,
    WORKSPACE: dirs.workspace,
  }
}

/** A process spec confined to the job: runs in the workspace, writes only there and in its temp dir. */
export function jobProcessSpec(
  dirs: JobDirs,
  isolation: IsolationMode,
  argv: readonly string[],
  options: { network: boolean; cwd?: string; inheritEnv?: readonly string[]; readOnly?: readonly string[]; writable?: readonly string[]; stdin?: string | undefined },
): ProcessSpec {
  return {
    argv,
    cwd: options.cwd ?? dirs.workspace,
    env: commandEnv(dirs, isolation),
    inheritEnv: options.inheritEnv ?? [],
    writable: [dirs.workspace, dirs.tmp, ...(options.writable ?? [])],
    readOnly: options.readOnly ?? [],
    network: options.network,
    stdin: options.stdin,
  }
}

/** The processes a running job owns, so cancel can kill every one of them. */
export class ProcessSet {
  readonly #live = new Set<RunningProcess>()

  track = (process: RunningProcess): (() => void) => {
    this.#live.add(process)
    return () => this.#live.delete(process)
  }

  get size(): number {
    return this.#live.size
  }

  pids(): number[] {
    return [...this.#live].flatMap((p) => (p.pid === undefined ? [] : [p.pid]))
  }

  /** Kills every process group (SIGTERM, SIGKILL after `graceMs`); resolves when all are gone. */
  async killAll(graceMs: number): Promise<void> {
    await Promise.all([...this.#live].map((p) => p.kill(graceMs).catch(() => undefined)))
  }
}
