import { badRequest } from '../../lib/errors'
import type { RoutineDetail, RoutineInfo, RoutineRunInfo, RoutineTrigger } from '../../protocol/routines'
import { describeCron } from './cron'
import type { RoutineRecord, RunRecord } from './routine-rows'

/** How routines and runs look on the wire, and the runs cursor. */

async function summaryOf(trigger: RoutineTrigger): Promise<string> {
  switch (trigger.type) {
    case 'cron':
      return describeCron(trigger)
    case 'event':
      return `on ${trigger.channel ?? 'any'} /${trigger.pattern}/`
    case 'system_event': {
      const filters = Object.entries(trigger.filters).map(([k, v]) => `${k}=${v}`)
      return `event: ${trigger.source}.${trigger.event_type}${filters.length ? ` (${filters.join(', ')})` : ''}`
    }
    case 'webhook':
      return `webhook: /api/webhooks/${trigger.path}`
    case 'manual':
      return 'manual only'
  }
}

export async function info(r: RoutineRecord): Promise<RoutineInfo> {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    enabled: r.enabled,
    trigger_type: r.trigger.type,
    trigger_raw: r.trigger.type === 'cron' ? r.trigger.schedule : '',
    trigger_summary: await summaryOf(r.trigger),
    action_type: r.action.type,
    last_run_at: r.last_run_at,
    next_fire_at: r.enabled ? r.next_fire_at : null,
    run_count: r.run_count,
    consecutive_failures: r.consecutive_failures,
    status: !r.enabled ? 'disabled' : r.consecutive_failures > 0 ? 'failing' : 'active',
    verification_status: r.is_verified ? 'verified' : 'unverified',
    thread_id: r.thread_id,
  }
}

export const routineDetail = async (r: RoutineRecord, recentRuns: RunRecord[]): Promise<RoutineDetail> => ({
  ...(await info(r)),
  trigger: r.trigger,
  action: r.action,
  guardrails: { cooldown: { secs: r.cooldown_secs, nanos: 0 }, max_concurrent: r.max_concurrent, dedup_window: null },
  created_at: r.created_at,
  updated_at: r.updated_at,
  recent_runs: recentRuns.map(runInfo),
  ...(r.webhook_path ? { webhook_url: `/api/webhooks/${r.webhook_path}` } : {}),
})

export function runInfo(r: RunRecord): RoutineRunInfo {
  return {
    id: r.id,
    trigger_type: r.trigger_type,
    started_at: r.started_at,
    completed_at: r.completed_at,
    status: r.status,
    result_summary: r.result_summary,
    tokens_used: r.tokens_used,
    job_id: r.job_id,
    thread_id: r.thread_id,
  }
}

export const encodeCursor = (r: RunRecord): string => btoa(`${r.started_at}|${r.id}`).replace(/=+$/, '')

export function decodeCursor(cursor: string): { started_at: string; id: string } {
  try {
    const [startedAt, id] = atob(cursor).split('|')
    if (startedAt && id && /^\d{4}-\d\d-\d\dT[\d:.]+Z$/.test(startedAt)) return { started_at: startedAt, id }
  } catch {
    // fall through
  }
  throw badRequest('invalid_cursor', 'Invalid cursor: pass the next_cursor of a previous page')
}
