import type { Cron } from 'croner'
import { badRequest } from '../../lib/errors'
import { validTimeZone } from '../../lib/time'

/** croner, and cronstrue for the wording: read when a cron routine is first met, not at start-up. */
let croner: Promise<typeof import('croner')> | undefined
let cronstrue: Promise<typeof import('cronstrue').default> | undefined
const loadCroner = () => (croner ??= import('croner'))
const loadCronstrue = () => (cronstrue ??= import('cronstrue').then((m) => m.default))

/**
 * Cron schedules through croner: 5 fields (minute hour day month weekday) or 6 (seconds first),
 * read in an IANA time zone (UTC when none), across DST changes. A day-of-month and a weekday
 * both given match either (Vixie cron), as users expect from crontab.
 */
export interface CronSchedule {
  schedule: string
  timezone: string | null
}

/** The compiled pattern, or a 400 `invalid_schedule` / `invalid_timezone` that says why. */
export async function compileCron({ schedule, timezone }: CronSchedule): Promise<Cron> {
  const fields = schedule.trim().split(/\s+/).length
  if (fields < 5 || fields > 6) {
    throw badRequest('invalid_schedule', `Invalid cron schedule "${schedule}": expected 5 fields (minute hour day month weekday) or 6 (with seconds first), got ${fields}`)
  }
  if (timezone !== null && validTimeZone(timezone) === undefined) throw badRequest('invalid_timezone', `Unknown time zone "${timezone}": use an IANA name such as Europe/Paris`)
  const { Cron } = await loadCroner()
  try {
    return new Cron(schedule, { timezone: timezone ?? 'Etc/UTC', paused: true, mode: '5-or-6-parts' })
  } catch (error) {
    const why = error instanceof Error ? error.message.replace(/^CronPattern:\s*/i, '') : String(error)
    throw badRequest('invalid_schedule', `Invalid cron schedule "${schedule}": ${why}`)
  }
}

/** The first slot strictly after `afterMs`, as ISO UTC; null when the pattern never fires again. */
export async function nextFireAt(cron: CronSchedule, afterMs: number): Promise<string | null> {
  const next = (await compileCron(cron)).nextRun(new Date(afterMs))
  return next ? next.toISOString() : null
}

/** "At 09:00, Monday through Friday (Europe/Paris)". */
export async function describeCron({ schedule, timezone }: CronSchedule): Promise<string> {
  const words = await loadCronstrue()
  let text: string
  try {
    text = words.toString(schedule, { use24HourTimeFormat: true, verbose: false })
  } catch {
    text = schedule
  }
  return `${text} (${timezone ?? 'UTC'})`
}
