/**
 * What sandbox jobs need from the runtime: confined file access and isolated child processes.
 * Declared here, implemented by the adapter (`adapters/shared/sandbox`), passed in through
 * `RuntimeCapabilities.sandbox`. Without it, jobs are unavailable (503).
 */

/** Why a workspace path was refused or not served. Routes map these to 400/403/404. */
export type WorkspacePathProblem =
  /** Malformed: NUL or control characters, backslashes, absolute, a segment with `/` after decoding. */
  | 'invalid'
  /** Resolves (lexically or through a symlink) outside the workspace. */
  | 'outside'
  | 'not_found'
  | 'not_a_file'
  | 'not_a_directory'
  | 'too_large'

export class WorkspacePathError extends Error {
  constructor(
    readonly problem: WorkspacePathProblem,
    message: string,
  ) {
    super(message)
    this.name = 'WorkspacePathError'
  }
}

export interface WorkspaceStat {
  kind: 'file' | 'directory' | 'other'
  size: number
  modifiedMs: number
}

export interface WorkspaceDirEntry {
  name: string
  kind: 'file' | 'directory' | 'symlink' | 'other'
  /** Size and time of what the entry points to; null when it is a symlink leading outside or nowhere. */
  size: number | null
  modifiedMs: number | null
}

/**
 * File access confined to a root directory. `path` is always a list of already validated segments
 * (see `parseWorkspacePath`); the implementation resolves symlinks and refuses anything whose real
 * location is outside the root's real location, checking the file it actually opened (so a
 * symlink swapped in between the check and the open does not escape).
 */
export interface WorkspaceFs {
  /** Creates a directory (and parents) readable only by the gateway's user; returns its canonical path. */
  ensureDir(path: string): Promise<string>
  /** Removes a directory tree; a missing one is fine. */
  removeTree(path: string): Promise<void>
  stat(root: string, path: readonly string[]): Promise<WorkspaceStat>
  list(root: string, path: readonly string[]): Promise<WorkspaceDirEntry[]>
  /** Reads at most `maxBytes` (the real size is returned too). */
  read(root: string, path: readonly string[], maxBytes: number): Promise<{ bytes: Uint8Array; size: number }>
  /** Streams a whole file (for `/projects`). */
  open(root: string, path: readonly string[]): Promise<{ body: ReadableStream<Uint8Array>; size: number }>
  /** Writes (creating parent directories inside the root); refuses to write through an escaping symlink. */
  write(root: string, path: readonly string[], bytes: Uint8Array, options?: { append?: boolean }): Promise<{ size: number }>
}

/** How commands are isolated: `bwrap` = namespaces (only the workspace writable, no network unless allowed). */
export type IsolationMode = 'bwrap' | 'process'

export interface ProcessSpec {
  argv: readonly string[]
  /** Absolute working directory (inside `writable[0]`). */
  cwd: string
  /** The whole environment of the child: nothing of the gateway's own is inherited... */
  env: Readonly<Record<string, string>>
  /** ...except these variables, copied by the adapter (so the core never holds their values). */
  inheritEnv?: readonly string[]
  /** Directories the command may write (the job's workspace and temp dir). */
  writable: readonly string[]
  /** Extra directories visible read-only (under bwrap; the system directories always are). */
  readOnly?: readonly string[]
  network: boolean
  /** Written to stdin, which is then closed; stdin is empty when absent. */
  stdin?: string | undefined
}

export interface ProcessExit {
  code: number | null
  signal: string | null
}

/** A child process in its own process group (and, under bwrap, its own namespaces). */
export interface RunningProcess {
  /** The host pid of the process group leader. */
  readonly pid: number | undefined
  onStdout(listener: (chunk: Uint8Array) => void): void
  onStderr(listener: (chunk: Uint8Array) => void): void
  readonly exited: Promise<ProcessExit>
  /** SIGTERM to the whole group, SIGKILL after `graceMs`; resolves once the leader is gone. */
  kill(graceMs: number): Promise<void>
}

export interface ProcessPort {
  readonly isolation: IsolationMode
  /** Starts a process; a program that cannot be started rejects `exited` with an error. */
  spawn(spec: ProcessSpec): RunningProcess
}

export interface SandboxRuntime {
  fs: WorkspaceFs
  /** Absent where child processes are not available: only file tools and no `command` jobs. */
  processes?: ProcessPort | undefined
}
