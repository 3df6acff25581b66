/** The clock port. Tests inject a controllable one; everything else uses `systemClock`. */
export interface Clock {
  now(): number
}

export const systemClock: Clock = { now: () => Date.now() }

/** Fixed-width UTC timestamp (`2026-11-25T19:07:55.123Z`): sorts the same as text on every dialect. */
export const isoNow = (clock: Clock = systemClock): string => new Date(clock.now()).toISOString()

export const toIso = (ms: number): string => new Date(ms).toISOString()

export const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal?.reason)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })

/** Lets a timer not keep the process alive, on runtimes whose timers support it. */
export function unrefTimer<T>(timer: T): T {
  ;(timer as { unref?: () => void }).unref?.()
  return timer
}

/** A valid IANA zone, or undefined (bad input from a client must not break a turn or a schedule). */
export function validTimeZone(zone: string | null | undefined): string | undefined {
  if (!zone) return undefined
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone })
    return zone
  } catch {
    return undefined
  }
}

/** Midnight UTC of the clock's day, as ISO: the start of "today" for daily budgets. */
export const startOfUtcDay = (now: number): string => {
  const d = new Date(now)
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())).toISOString()
}
