import { badRequest } from '../../lib/errors'
import type { RoutineInfo, RoutineRunInfo, RoutineTrigger } from '../../protocol/routines'
import { describeCron } from './cron'
import type { RoutineRecord, RunRecord } from './routine-repository'

/** How routines and runs look on the wire, and the runs cursor. */

export async function summaryOf(trigger: RoutineTrigger): Promise<string> {
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
    last_run_at: r.lastRunAt,
    next_fire_at: r.enabled ? r.nextFireAt : null,
    run_count: r.runCount,
    consecutive_failures: r.consecutiveFailures,
    status: !r.enabled ? 'disabled' : r.consecutiveFailures > 0 ? 'failing' : 'active',
    verification_status: r.verified ? 'verified' : 'unverified',
    thread_id: r.threadId,
  }
}

export function runInfo(r: RunRecord): RoutineRunInfo {
  return {
    id: r.id,
    trigger_type: r.triggerType,
    started_at: r.startedAt,
    completed_at: r.completedAt,
    status: r.status,
    result_summary: r.resultSummary,
    tokens_used: r.tokensUsed,
    job_id: r.jobId,
    thread_id: r.threadId,
  }
}

export const encodeCursor = (r: RunRecord): string => btoa(`${r.startedAt}|${r.id}`).replace(/=+$/, '')

export function decodeCursor(cursor: string): { startedAt: string; id: string } {
  try {
    const [startedAt, id] = atob(cursor).split('|')
    if (startedAt && id && /^\d{4}-\d\d-\d\dT[\d:.]+Z$/.test(startedAt)) return { startedAt, id }
  } catch {
    // fall through
  }
  throw badRequest('invalid_cursor', 'Invalid cursor: pass the next_cursor of a previous page')
}
