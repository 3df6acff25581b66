import { dismiss, toasts } from '../state/toasts'
import { Icon } from './Icon'

export function Toasts() {
  return (
    <div class="toasts" aria-live="polite" aria-atomic="false">
      {toasts.value.map((t) => (
        <div key={t.id} class={`toast toast-${t.kind}`} role={t.kind === 'error' ? 'alert' : 'status'}>
          <Icon name={t.kind === 'error' ? 'alert' : t.kind === 'success' ? 'check' : 'dot'} />
          <span class="toast-message">{t.message}</span>
          {t.action ? (
            <a
              class="toast-action"
              href={t.action.href}
              onClick={() => dismiss(t.id)}
              {...(/^https?:/.test(t.action.href) ? { target: '_blank', rel: 'noopener noreferrer' } : {})}
            >
              {t.action.label}
            </a>
          ) : null}
          <button type="button" class="btn-icon" aria-label="Dismiss" onClick={() => dismiss(t.id)}>
            <Icon name="close" size={14} />
          </button>
        </div>
      ))}
    </div>
  )
}
