import { useState } from 'preact/hooks'
import { Icon } from './Icon'

/** A credential shown once: copy it now, it is never displayed again. */
export function SecretReveal({ label, value }: { label: string; value: string }) {
  const [copied, setCopied] = useState(false)
  return (
    <div class="stack">
      <p>
        <strong>{label}</strong> — copy it now; it will not be shown again.
      </p>
      <div class="secret-box">
        <code data-secret>{value}</code>
        <button
          type="button"
          class="btn btn-small"
          onClick={() =>
            navigator.clipboard?.writeText(value).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
        >
          <Icon name="copy" size={14} /> {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
    </div>
  )
}
