import type { Insertable, Selectable } from 'kysely'
import { RoutineAction, RoutineTrigger, type RunStatus, type TriggerType } from '../../protocol/routines'
import { parseColumn } from '../../store/json-column'
import type { RoutineRunsTable, RoutinesTable } from '../../store/tables/routines'

/**
 * A routine as the service sees it: the `routines` row with its trigger and action parsed.
 * Records keep the columns' names (which are the API's), so this file is the one mapping between
 * the two; `trigger_type` and `action_type` are columns for queries, derived from them on write.
 */
export type RoutineRecord = Omit<Selectable<RoutinesTable>, 'trigger_type' | 'trigger' | 'action_type' | 'action' | 'last_status'> & {
  trigger: RoutineTrigger
  action: RoutineAction
  last_status: RunStatus | null
}

/** One firing of a routine. */
export type RunRecord = Omit<Selectable<RoutineRunsTable>, 'trigger_type' | 'status'> & { trigger_type: TriggerType; status: RunStatus }

export type RoutinePatch = Partial<
  Pick<RoutineRecord, 'name' | 'description' | 'enabled' | 'trigger' | 'webhook_path' | 'webhook_secret' | 'action' | 'cooldown_secs' | 'max_concurrent' | 'next_fire_at'>
> & { updated_at: string }

export const parseTrigger = (text: string): RoutineTrigger | undefined => parseColumn(RoutineTrigger, text, undefined)

export const toRoutine = (r: Selectable<RoutinesTable>): RoutineRecord => {
  const { trigger_type: _t, action_type: _a, ...row } = r
  return {
    ...row,
    enabled: Boolean(r.enabled),
    trigger: parseTrigger(r.trigger) ?? { type: 'manual' },
    action: RoutineAction.parse(JSON.parse(r.action)),
    cooldown_secs: Number(r.cooldown_secs),
    max_concurrent: Number(r.max_concurrent),
    last_status: (r.last_status as RunStatus | null) ?? null,
    run_count: Number(r.run_count),
    consecutive_failures: Number(r.consecutive_failures),
    is_verified: Boolean(r.is_verified),
  }
}

export const routineRow = (r: RoutineRecord): Insertable<RoutinesTable> => ({
  ...r,
  trigger_type: r.trigger.type,
  trigger: JSON.stringify(r.trigger),
  action_type: r.action.type,
  action: JSON.stringify(r.action),
})

/** The columns a patch sets (the JSON ones serialised, their `*_type` columns kept in step). */
export function routinePatchRow(patch: RoutinePatch): Partial<Selectable<RoutinesTable>> {
  const { trigger, action, ...plain } = patch
  const set: Partial<Selectable<RoutinesTable>> = { ...plain }
  if (trigger !== undefined) Object.assign(set, { trigger: JSON.stringify(trigger), trigger_type: trigger.type })
  if (action !== undefined) Object.assign(set, { action: JSON.stringify(action), action_type: action.type })
  for (const key of Object.keys(set) as Array<keyof typeof set>) if (set[key] === undefined) delete set[key]
  return set
}

export const toRun = (r: Selectable<RoutineRunsTable>): RunRecord => ({
  ...r,
  trigger_type: r.trigger_type as TriggerType,
  status: r.status as RunStatus,
  tokens_used: r.tokens_used === null ? null : Number(r.tokens_used),
})
