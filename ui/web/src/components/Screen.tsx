import type { ComponentChildren } from 'preact'
import { t } from '../strings'

/** Screen is the frame of the management screens: a title, a hint, actions and the body. */
export function Screen({ title, hint, actions, children, id }: { title: string; hint?: string; actions?: ComponentChildren; children: ComponentChildren; id: string }) {
  return (
    <section class="screen" id={id}>
      <header class="screen-head">
        <div>
          <h1>{title}</h1>
          {hint && <p class="muted">{hint}</p>}
        </div>
        <div class="screen-actions">{actions}</div>
      </header>
      <div class="screen-body">{children}</div>
    </section>
  )
}

export function ErrorBox({ message }: { message: string }) {
  if (!message) return null
  return (
    <p class="error banner" role="alert">
      {message}
    </p>
  )
}

/** SaveActions are a form dialog's Cancelar and Salvar buttons; Salvar shows the save under way. */
export function SaveActions({ busy, onCancel }: { busy: boolean; onCancel: () => void }) {
  return (
    <div class="dialog-actions">
      <button type="button" class="btn ghost" onClick={onCancel}>
        {t.cancel}
      </button>
      <button type="submit" class="btn primary" disabled={busy}>
        {busy ? t.saving : t.save}
      </button>
    </div>
  )
}
