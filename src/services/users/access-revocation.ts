import type { Authenticator } from '../../auth/authenticator'
import type { EventBus } from '../../ports/event-bus'

/**
 * Makes a change of credentials effective everywhere at once: the local auth cache forgets the
 * principal before the response goes out (so the very next request is refused), and the bus
 * tells every instance to do the same and to close the streams the credential opened.
 */
export class AccessRevocation {
  readonly #off: () => void
  readonly #userHooks: Array<(userId: string) => Promise<void>> = []

  constructor(
    private readonly auth: Authenticator,
    private readonly bus: EventBus,
  ) {
    // Other instances' revocations (and our own, echoed back by a cross-instance bus).
    this.#off = bus.onControl((message) => {
      if (message.kind === 'invalidate_auth') auth.invalidate({ userId: message.userId, tokenHash: message.tokenHash })
    })
  }

  /** A token stopped working (revoked or expired): refuse it and close its streams. */
  async token(tokenId: string, tokenHash: string): Promise<void> {
    this.auth.invalidate({ tokenId, tokenHash })
    await this.bus.publishControl({ kind: 'invalidate_auth', tokenHash })
    await this.bus.publishControl({ kind: 'disconnect', tokenId })
  }

  /** A user can no longer sign in (suspended, deleted): refuse all their tokens, close their streams. */
  async user(userId: string): Promise<void> {
    for (const hook of this.#userHooks) await hook(userId)
    this.auth.invalidate({ userId })
    await this.bus.publishControl({ kind: 'invalidate_auth', userId })
    await this.bus.publishControl({ kind: 'disconnect', userId })
  }

  /** A user's role or name changed: forget cached principals; streams stay (admin-only ones re-check). */
  async refresh(userId: string): Promise<void> {
    this.auth.invalidate({ userId })
    await this.bus.publishControl({ kind: 'invalidate_auth', userId })
  }

  /** Runs first whenever a user is locked out (their web sessions end for good). */
  onUser(hook: (userId: string) => Promise<void>): void {
    this.#userHooks.push(hook)
  }

  close(): void {
    this.#off()
  }
}
