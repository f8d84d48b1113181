import type { ComponentChildren } from 'preact'

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
