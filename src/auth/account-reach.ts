import type { Principal } from '../ports/principal'
import { GatewayError } from '../lib/errors'

/**
 * What an actor wants to do to another user's account: `manage` it (role, status, profile,
 * secrets, token list, deletion), or `impersonate` it (mint a token that authenticates as it).
 */
export type Reach = 'manage' | 'impersonate'

/**
 * The one rule for reaching another user's account, used by every route that can:
 * - everyone reaches their own account;
 * - the owner (`GATEWAY_USER_ID`) reaches every account, and is the only one who may
 *   impersonate another user (such tokens are marked and listed as impersonation);
 * - an admin manages other users' accounts, but never the owner's, and never impersonates:
 *   otherwise an admin could mint itself a token of the owner (or read the owner's secrets) and
 *   become it;
 * - a member reaches nobody else (admin routes already answer it 403).
 *
 * @example assertReach(c.get('principal'), targetId, d.config.userId, 'manage')
 */
export function assertReach(actor: Principal, targetId: string, ownerId: string, reach: Reach): void {
  if (actor.userId === targetId || actor.userId === ownerId) return
  if (reach === 'impersonate') {
    throw new GatewayError(403, 'impersonation_forbidden', 'Only the owner can mint tokens for another user; a user mints its own')
  }
  if (targetId === ownerId) throw new GatewayError(403, 'owner_protected', "Only the owner can change the owner's account, secrets or tokens")
  if (actor.role !== 'admin') throw new GatewayError(403, 'forbidden', 'Admin role required')
}
