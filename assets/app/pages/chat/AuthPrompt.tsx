import { useState } from 'preact/hooks'
import { api } from '../../api/index'
import { Dialog, DialogFooter } from '../../components/Dialog'
import { Icon } from '../../components/Icon'
import { safeUrl } from '../../lib/markdown'
import { authPrompt } from '../../state/chat'
import { errorMessage, toast } from '../../state/toasts'

/** An extension asked for credentials (`auth_required`): open its sign-in page or paste a token. */
export function AuthPrompt() {
  const prompt = authPrompt.value
  const [token, setToken] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  if (!prompt) return null
  const name = prompt.extension_name
  const authUrl = safeUrl(prompt.auth_url ?? null)
  const close = async () => {
    authPrompt.value = null
    setToken('')
    setError(null)
    try {
      await api.chat.authCancel(name)
    } catch {
      // nothing pending on the server any more
    }
  }
  const submit = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      const result = await api.chat.authToken(name, token)
      if (result.success) {
        toast(result.message || `${name} connected`, 'success')
        authPrompt.value = null
        setToken('')
      } else setError(result.message)
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setBusy(false)
    }
  }
  return (
    <Dialog title={`Connect ${name}`} open onClose={() => void close()}>
      {prompt.instructions ? <p class="prewrap">{prompt.instructions}</p> : <p>{name} needs your credentials to continue.</p>}
      {authUrl ? (
        <p>
          <a class="btn btn-primary" href={authUrl.href} target="_blank" rel="noopener noreferrer">
            <Icon name="external" /> Open the sign-in page
          </a>
        </p>
      ) : null}
      {prompt.setup_url ? (
        <p>
          <a href={`#/extensions?setup=${encodeURIComponent(name)}`} onClick={() => (authPrompt.value = null)}>
            Open the setup wizard
          </a>
        </p>
      ) : null}
      <form onSubmit={submit} class="stack">
        <label for="auth-token" class="label">
          Or paste a token
        </label>
        <input id="auth-token" type="password" autocomplete="off" value={token} onInput={(e) => setToken((e.target as HTMLInputElement).value)} />
        <DialogFooter error={error} onCancel={() => void close()} disabled={busy || !token.trim()} submit={busy ? 'Checking…' : 'Submit'} />
      </form>
    </Dialog>
  )
}
