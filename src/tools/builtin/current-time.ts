import { z } from 'zod'
import { type Clock, validTimeZone } from '../../lib/time'
import { defineTool, type Tool } from '../tool'

/** `current_time`: the date and time in a time zone (the user's by default). */
export function currentTimeTool(clock: Clock): Tool {
  return defineTool({
    name: 'current_time',
    description: "The current date and time, in the user's time zone unless another IANA time zone (e.g. Europe/Paris) is given.",
    source: 'builtin',
    requiresApproval: false,
    input: z.object({ timezone: z.string().max(64).optional().describe('IANA time zone name, e.g. America/New_York') }),
    async execute({ timezone }, ctx) {
      const asked = timezone ? validTimeZone(timezone) : undefined
      if (timezone && !asked) return { output: `Unknown time zone "${timezone}". Use an IANA name such as Europe/Paris.`, isError: true }
      const zone = asked ?? validTimeZone(ctx.timezone) ?? 'UTC'
      const now = clock.now()
      const parts = (options: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat('en-US', { timeZone: zone, ...options }).format(now)
      const offset = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' })
        .formatToParts(now)
        .find((p) => p.type === 'timeZoneName')?.value.replace('GMT', 'UTC') ?? 'UTC'
      return JSON.stringify({
        timezone: zone,
        local: parts({ dateStyle: 'full', timeStyle: 'long' }),
        local_iso: localIso(now, zone),
        utc_offset: offset === 'UTC' ? 'UTC+00:00' : offset,
        weekday: parts({ weekday: 'long' }),
        utc: new Date(now).toISOString(),
        unix: Math.floor(now / 1000),
      })
    },
  })
}

/** `2026-11-25T20:07:55` in the zone (no offset). */
function localIso(now: number, zone: string): string {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
      .formatToParts(now)
      .map((x) => [x.type, x.value]),
  )
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}`
}
