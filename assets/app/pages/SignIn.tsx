import { useEffect, useRef, useState } from 'preact/hooks'
import { Icon } from '../components/Icon'
import { tabStorage } from '../lib/storage'
import { gatewayUrl } from '../api/client'
import { methods, restoreSession, signedOutReason, signIn } from '../state/session'
import { errorMessage } from '../state/toasts'

export function SignIn() {
  const [token, setToken] = useState('')
  const [show, setShow] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(signedOutReason.value ?? takeSignInError())
  const input = useRef<HTMLInputElement>(null)
  const canRetry = !!tabStorage.get<string>('token')
  useEffect(() => input.current?.focus(), [])

  const submit = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      await signIn(token)
    } catch (err) {
      setError(errorMessage(err))
      input.current?.select()
    } finally {
      setBusy(false)
    }
  }

  return (
    <main class="signin">
      <form class="signin-card" onSubmit={submit} aria-labelledby="signin-title" noValidate>
        <div class="signin-brand" aria-hidden="true">◆</div>
        <h1 id="signin-title">Sign in to your gateway</h1>
        <p class="muted">
          {methods.value?.sessions
            ? 'Paste the token the gateway printed when it started (or an API token) once: this browser then keeps a session, which you can end on the tokens page.'
            : 'Paste the token the gateway printed when it started (or an API token). It stays in this tab only.'}
        </p>
        {methods.value?.oidc.enabled ? (
          <>
            <a class="btn btn-primary btn-block" href={gatewayUrl(methods.value.oidc.login_path)}>
              Sign in with {methods.value.oidc.name}
            </a>
            <p class="signin-or muted">or with a token</p>
          </>
        ) : null}
        <label for="token" class="label">
          Token
        </label>
        <div class="input-group">
          <input
            id="token"
            ref={input}
            name="token"
            type={show ? 'text' : 'password'}
            autocomplete="current-password"
            spellcheck={false}
            autoCapitalize="off"
            value={token}
            onInput={(e) => setToken((e.target as HTMLInputElement).value)}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'signin-error' : undefined}
            required
          />
          <button type="button" class="btn-icon" aria-label={show ? 'Hide token' : 'Show token'} aria-pressed={show} onClick={() => setShow(!show)}>
            <Icon name="eye" />
          </button>
        </div>
        <p id="signin-error" class="form-error" role="alert">
          {error ?? ''}
        </p>
        <button type="submit" class={methods.value?.oidc.enabled ? 'btn btn-block' : 'btn btn-primary btn-block'} disabled={busy || !token.trim()}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
        {canRetry ? (
          <button type="button" class="btn btn-ghost btn-block" onClick={() => void restoreSession()}>
            <Icon name="refresh" /> Retry with the saved token
          </button>
        ) : null}
      </form>
    </main>
  )
}

/** The reason the OIDC callback gave (`?sign_in_error=`), read once and taken off the address bar. */
function takeSignInError(): string | null {
  const url = new URL(location.href)
  const reason = url.searchParams.get('sign_in_error')
  if (reason === null) return null
  url.searchParams.delete('sign_in_error')
  history.replaceState(history.state, '', url.href)
  return reason.slice(0, 300)
}
