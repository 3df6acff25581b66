import { Hono } from 'hono'
import type { RouteDeps } from './deps'
import type { GatewayEnv } from '../ports/env'
import { routeDoc } from '../middleware/route-doc'
import { need } from '../lib/errors'
import { jsonBody, optionalJsonBody, params, query } from '../middleware/validate'
import {
  CreateRoutineRequest,
  RoutineDeleted,
  RoutineDetail,
  RoutineIdParam,
  RoutineList,
  RoutineRuns,
  RoutineRunsQuery,
  RoutineSummary,
  RoutineToggled,
  RoutineTriggered,
  ToggleRoutineRequest,
  UpdateRoutineRequest,
} from '../protocol/routines'

/**
 * Routines (contract.md §9, plus create and edit): another user's routine is 404 everywhere, the
 * webhook secret appears only in the answer that created (or rotated) it.
 */
export const routineRoutes = (d: RouteDeps) =>
  new Hono<GatewayEnv>()
    .get('/api/routines', routeDoc({ summary: "The caller's routines, newest first", response: RoutineList }), async (c) => {
      const routines = need(d.services.routines, 'routines')
      return c.json({ routines: await routines.list(c.get('principal').userId) })
    })
    .get('/api/routines/summary', routeDoc({ summary: "Counts of the caller's routines", response: RoutineSummary }), async (c) => {
      return c.json(await need(d.services.routines, 'routines').summary(c.get('principal').userId))
    })
    .post(
      '/api/routines',
      routeDoc({ summary: 'Create a routine (a webhook routine answers its secret once, in `webhook_secret`)', response: RoutineDetail, status: 201 }),
      jsonBody(CreateRoutineRequest),
      async (c) => {
        const routines = need(d.services.routines, 'routines')
        return c.json(await routines.create(c.get('principal').userId, c.req.valid('json')), 201)
      },
    )
    .get('/api/routines/:id', routeDoc({ summary: 'A routine with its trigger, action and recent runs', response: RoutineDetail }), params(RoutineIdParam), async (c) => {
      const routines = need(d.services.routines, 'routines')
      return c.json(await routines.detail(c.get('principal').userId, c.req.valid('param').id))
    })
    .patch(
      '/api/routines/:id',
      routeDoc({ summary: 'Change a routine; a new schedule or re-enabling recomputes `next_fire_at`', response: RoutineDetail }),
      params(RoutineIdParam),
      jsonBody(UpdateRoutineRequest),
      async (c) => {
        const routines = need(d.services.routines, 'routines')
        return c.json(await routines.update(c.get('principal').userId, c.req.valid('param').id, c.req.valid('json')))
      },
    )
    .get(
      '/api/routines/:id/runs',
      routeDoc({ summary: 'Runs of a routine, newest first, paged with `next_cursor`', response: RoutineRuns }),
      params(RoutineIdParam),
      query(RoutineRunsQuery),
      async (c) => {
        const routines = need(d.services.routines, 'routines')
        return c.json(await routines.runs(c.get('principal').userId, c.req.valid('param').id, c.req.valid('query')))
      },
    )
    .post(
      '/api/routines/:id/trigger',
      routeDoc({ summary: 'Run it now (in the background); 409 when disabled, cooling down or already running', response: RoutineTriggered }),
      params(RoutineIdParam),
      async (c) => {
        const routines = need(d.services.routines, 'routines')
        return c.json(await routines.trigger(c.get('principal').userId, c.req.valid('param').id))
      },
    )
    .post(
      '/api/routines/:id/toggle',
      routeDoc({ summary: 'Enable or disable (`{"enabled"}`, or flip without a body); enabling recomputes `next_fire_at`', response: RoutineToggled }),
      params(RoutineIdParam),
      optionalJsonBody(ToggleRoutineRequest),
      async (c) => {
        const routines = need(d.services.routines, 'routines')
        return c.json(await routines.toggle(c.get('principal').userId, c.req.valid('param').id, c.req.valid('json').enabled))
      },
    )
    .delete('/api/routines/:id', routeDoc({ summary: 'Delete a routine and its runs (its thread stays)', response: RoutineDeleted }), params(RoutineIdParam), async (c) => {
      const { id } = c.req.valid('param')
      await need(d.services.routines, 'routines').delete(c.get('principal').userId, id)
      return c.json({ status: 'deleted' as const, routine_id: id })
    })
