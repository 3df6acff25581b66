import type { Principal, TokenResolver } from '../../ports/principal'
import { SESSION_ID_PREFIX } from './session-service'

/**
 * The authenticator's one resolver over both kinds of stored credential: API tokens and web
 * sessions, each looked up by the SHA-256 of its secret. A reference names its kind by prefix
 * (`ses_...` is a session), so signed links and tickets find theirs in one query.
 */
export class CredentialResolver implements TokenResolver {
  constructor(
    private readonly tokens: Required<TokenResolver>,
    private readonly sessions: Required<TokenResolver>,
  ) {}

  async resolve(hash: string): Promise<Principal | null> {
    return (await this.tokens.resolve(hash)) ?? (await this.sessions.resolve(hash))
  }

  resolveId(userId: string, id: string): Promise<Principal | null> {
    return id.startsWith(SESSION_ID_PREFIX) ? this.sessions.resolveId(userId, id) : this.tokens.resolveId(userId, id)
  }
}
