import { signal } from '@preact/signals'
import { ApiError } from '../api/client'

export interface Toast {
  id: number
  kind: 'info' | 'success' | 'error'
  message: string
  action?: { label: string; href: string }
}

export const toasts = signal<Toast[]>([])
let next = 1

export function toast(message: string, kind: Toast['kind'] = 'info', action?: Toast['action']): void {
  const id = next++
  // The same message twice in a row is one toast (no storm when something fails repeatedly).
  if (toasts.value.some((t) => t.message === message && t.kind === kind)) return
  toasts.value = [...toasts.value.slice(-3), { id, kind, message, ...(action ? { action } : {}) }]
  setTimeout(() => dismiss(id), kind === 'error' ? 8000 : 4500)
}

export function dismiss(id: number): void {
  toasts.value = toasts.value.filter((t) => t.id !== id)
}

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message
  if (error instanceof Error) return error.message
  return String(error)
}

/** Runs an action and reports its failure as a toast; returns whether it succeeded. */
export async function attempt(action: () => Promise<unknown>, success?: string): Promise<boolean> {
  try {
    await action()
    if (success) toast(success, 'success')
    return true
  } catch (error) {
    toast(errorMessage(error), 'error')
    return false
  }
}
