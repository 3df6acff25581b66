import { z } from 'zod'
import { defineTool, type ToolProvider } from '../../tools/tool'
import { GatewayError } from '../../lib/errors'
import type { RoutineTriggerInput } from '../../protocol/routines'
import type { RoutinesPort } from './port'

/**
 * The `routines` tool provider: the agent creates (with the user's approval: it sets up unattended
 * work) and lists the user's routines from chat. Webhook routines are left to the web app, so
 * their secret never passes through the model.
 */
export function routineToolProvider(routines: () => RoutinesPort | undefined): ToolProvider {
  return {
    name: 'routines',
    tools: () => {
      const service = routines()
      if (!service) return []
      return [
        defineTool({
          name: 'create_routine',
          description: [
            'Create a routine: a prompt the agent runs on its own, as a new message in the routine\'s own thread, on a schedule',
            '(`schedule`: 5-field cron "minute hour day month weekday", e.g. "0 8 * * 1-5" = 8:00 on weekdays),',
            'whenever a chat message of the user matches `pattern` (a regular expression), or only when run by hand (neither).',
          ].join(' '),
          input: z.object({
            name: z.string().trim().min(1).max(100).describe('Short name for the routines list'),
            prompt: z.string().trim().min(1).max(20_000).describe('The complete instruction to run each time (it cannot ask questions)'),
            schedule: z.string().trim().max(120).optional().describe('Cron schedule for a scheduled routine'),
            timezone: z.string().trim().max(64).optional().describe("IANA time zone of the schedule (default: the user's)"),
            pattern: z.string().max(500).optional().describe('Regular expression over the user\'s messages, for a routine triggered by messages'),
            description: z.string().trim().max(2_000).optional(),
          }),
          requiresApproval: true,
          source: 'routines',
          execute: async (input, ctx) => {
            const trigger: RoutineTriggerInput = input.schedule
              ? { type: 'cron', schedule: input.schedule, timezone: input.timezone ?? ctx.timezone ?? null }
              : input.pattern
                ? { type: 'event', pattern: input.pattern, channel: null }
                : { type: 'manual' }
            try {
              const created = await service.create(ctx.userId, {
                name: input.name,
                description: input.description ?? '',
                enabled: true,
                trigger,
                action: { type: 'lightweight', prompt: input.prompt },
              })
              const when = created.next_fire_at ? ` Next run: ${created.next_fire_at} (UTC).` : ''
              return `Created the routine "${created.name}" (id ${created.id}): ${created.trigger_summary}.${when} Its results appear in its own thread and on the Routines page.`
            } catch (error) {
              if (error instanceof GatewayError) return { output: `Could not create the routine: ${error.message}`, isError: true }
              throw error
            }
          },
        }),
        defineTool({
          name: 'list_routines',
          description: "List the user's routines: name, trigger, whether enabled, last and next run, status.",
          input: z.object({}),
          requiresApproval: false,
          source: 'routines',
          execute: async (_input, ctx) => {
            const list = await service.list(ctx.userId)
            if (list.length === 0) return 'The user has no routines.'
            return list
              .map((r) =>
                [
                  `- ${r.name} (id ${r.id}): ${r.trigger_summary}`,
                  r.enabled ? '' : ', disabled',
                  r.next_fire_at ? `, next run ${r.next_fire_at}` : '',
                  r.last_run_at ? `, last run ${r.last_run_at}` : ', never run',
                  r.consecutive_failures ? `, ${r.consecutive_failures} failure(s) in a row` : '',
                ].join(''),
              )
              .join('\n')
          },
        }),
      ]
    },
  }
}
