import type { ComponentChildren } from 'preact'
import { signal } from '@preact/signals'
import { useEffect, useRef } from 'preact/hooks'
import { Icon } from './Icon'

/**
 * A modal built on `<dialog>`: the browser traps focus, Escape closes it and the page behind is
 * inert. Focus returns to what had it before.
 */
export function Dialog({ title, open, onClose, children, wide }: { title: string; open: boolean; onClose: () => void; children: ComponentChildren; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null)
  useEffect(() => {
    const dialog = ref.current
    if (!dialog) return
    if (open && !dialog.open) {
      const previous = document.activeElement as HTMLElement | null
      dialog.showModal()
      return () => previous?.focus?.()
    }
    if (!open && dialog.open) dialog.close()
    return undefined
  }, [open])
  return (
    <dialog
      ref={ref}
      class={`dialog${wide ? ' dialog-wide' : ''}`}
      aria-labelledby="dialog-title"
      onClose={onClose}
      onCancel={(e) => {
        e.preventDefault()
        onClose()
      }}
    >
      {open ? (
        <div class="dialog-body">
          <header class="dialog-header">
            <h2 id="dialog-title">{title}</h2>
            <button type="button" class="btn-icon" aria-label="Close" onClick={onClose}>
              <Icon name="close" />
            </button>
          </header>
          {children}
        </div>
      ) : null}
    </dialog>
  )
}

interface Pending {
  title: string
  message: string
  confirm: string
  danger: boolean
  resolve: (ok: boolean) => void
}
const pending = signal<Pending | null>(null)

/** Asks before a destructive action, in an in-page dialog (never `window.confirm`). */
export function confirmAction(message: string, options: { title?: string; confirm?: string; danger?: boolean } = {}): Promise<boolean> {
  pending.value?.resolve(false)
  return new Promise((resolve) => {
    pending.value = { title: options.title ?? 'Are you sure?', message, confirm: options.confirm ?? 'Confirm', danger: options.danger ?? true, resolve }
  })
}

export function ConfirmHost() {
  const p = pending.value
  const done = (ok: boolean) => {
    p?.resolve(ok)
    pending.value = null
  }
  return (
    <Dialog title={p?.title ?? ''} open={!!p} onClose={() => done(false)}>
      <p>{p?.message}</p>
      <div class="dialog-actions">
        <button type="button" class="btn btn-ghost" onClick={() => done(false)}>
          Cancel
        </button>
        <button type="button" class={`btn ${p?.danger ? 'btn-danger' : 'btn-primary'}`} onClick={() => done(true)}>
          {p?.confirm}
        </button>
      </div>
    </Dialog>
  )
}

/** The end of a dialog's form: its error line (announced), Cancel, and the submit button. */
export function DialogFooter({ error, onCancel, disabled, submit }: { error: string | null | undefined; onCancel: () => void; disabled?: boolean; submit: ComponentChildren }) {
  return (
    <>
      <p class="form-error" role="alert">
        {error ?? ''}
      </p>
      <div class="dialog-actions">
        <button type="button" class="btn btn-ghost" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" class="btn btn-primary" disabled={disabled}>
          {submit}
        </button>
      </div>
    </>
  )
}
