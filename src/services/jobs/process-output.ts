import type { ProcessExit, ProcessPort, ProcessSpec, RunningProcess } from '../../ports/sandbox'
import { errorMessage } from '../../lib/errors'

/**
 * Keeps at most `cap` bytes of a stream: its head and its tail, with the size of what was dropped
 * in between (a build log's first error and its last lines both matter).
 */
export class CappedOutput {
  readonly #half: number
  #head: Uint8Array = new Uint8Array(0)
  #tail: Uint8Array = new Uint8Array(0)
  total = 0

  constructor(cap: number) {
    this.#half = Math.max(1, Math.floor(cap / 2))
  }

  push(chunk: Uint8Array): void {
    this.total += chunk.length
    if (this.#head.length < this.#half) {
      const take = Math.min(this.#half - this.#head.length, chunk.length)
      this.#head = concat(this.#head, chunk.slice(0, take))
      chunk = chunk.subarray(take)
    }
    if (chunk.length === 0) return
    const tail = concat(this.#tail, chunk)
    this.#tail = tail.length > this.#half ? tail.slice(tail.length - this.#half) : tail
  }

  get truncated(): boolean {
    return this.total > this.#head.length + this.#tail.length
  }

  text(): string {
    const dropped = this.total - this.#head.length - this.#tail.length
    // TextDecoder replaces a character cut at the seams with U+FFFD rather than failing.
    if (dropped <= 0) return new TextDecoder().decode(concat(this.#head, this.#tail))
    return `${new TextDecoder().decode(this.#head)}\n[... ${dropped} bytes omitted ...]\n${new TextDecoder().decode(this.#tail)}`
  }
}

/** Always a fresh copy: callers may reuse the chunks they pushed. */
function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length)
  out.set(a)
  out.set(b, a.length)
  return out
}

/** Splits a byte stream into UTF-8 lines; a line longer than `maxLine` is delivered in pieces. */
export class LineSplitter {
  readonly #decoder = new TextDecoder()
  #buffer = ''

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly maxLine = 1024 * 1024,
  ) {}

  push(chunk: Uint8Array): void {
    this.#buffer += this.#decoder.decode(chunk, { stream: true })
    let newline: number
    while ((newline = this.#buffer.indexOf('\n')) >= 0) {
      this.onLine(this.#buffer.slice(0, newline).replace(/\r$/, ''))
      this.#buffer = this.#buffer.slice(newline + 1)
    }
    while (this.#buffer.length > this.maxLine) {
      this.onLine(this.#buffer.slice(0, this.maxLine))
      this.#buffer = this.#buffer.slice(this.maxLine)
    }
  }

  end(): void {
    this.#buffer += this.#decoder.decode()
    if (this.#buffer) this.onLine(this.#buffer)
    this.#buffer = ''
  }
}

export interface CommandOutcome {
  exit: ProcessExit | undefined
  /** Could not start (program missing...). */
  startError: string | undefined
  timedOut: boolean
  cancelled: boolean
  stdout: CappedOutput
  stderr: CappedOutput
}

/**
 * Runs a process to completion with a timeout, an output cap and cancellation: on timeout or abort
 * the whole process group is killed (SIGTERM, then SIGKILL after `killGraceMs`).
 */
export async function runToCompletion(
  port: ProcessPort,
  spec: ProcessSpec,
  options: {
    timeoutMs: number
    outputCap: number
    killGraceMs: number
    signal?: AbortSignal | undefined
    track?: (p: RunningProcess) => () => void
    /** Sees stdout as it arrives (the capped copy is kept too). */
    onStdout?: (chunk: Uint8Array) => void
  },
): Promise<CommandOutcome> {
  const stdout = new CappedOutput(options.outputCap)
  const stderr = new CappedOutput(Math.max(1024, Math.floor(options.outputCap / 4)))
  const outcome: CommandOutcome = { exit: undefined, startError: undefined, timedOut: false, cancelled: false, stdout, stderr }
  if (options.signal?.aborted) return { ...outcome, cancelled: true }
  const child = port.spawn(spec)
  const untrack = options.track?.(child)
  child.onStdout((chunk) => {
    stdout.push(chunk)
    options.onStdout?.(chunk)
  })
  child.onStderr((chunk) => stderr.push(chunk))
  const stop = (reason: 'timeout' | 'cancel') => {
    if (reason === 'timeout') outcome.timedOut = true
    else outcome.cancelled = true
    void child.kill(options.killGraceMs)
  }
  const timer = setTimeout(() => stop('timeout'), options.timeoutMs)
  const onAbort = () => stop('cancel')
  options.signal?.addEventListener('abort', onAbort, { once: true })
  try {
    outcome.exit = await child.exited
  } catch (error) {
    outcome.startError = errorMessage(error)
  } finally {
    clearTimeout(timer)
    options.signal?.removeEventListener('abort', onAbort)
    untrack?.()
  }
  return outcome
}
