import { signal } from '@preact/signals'

/**
 * A webhook secret the server just returned (at creation or rotation). It is never sent again,
 * so it lives only in this tab's memory until the user dismisses it: not in storage, not in the URL.
 */
export const freshSecret = signal<{ routineId: string; secret: string } | null>(null)

export const showSecretOnce = (routineId: string, secret: string): void => {
  freshSecret.value = { routineId, secret }
}
