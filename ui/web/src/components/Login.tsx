import { useState } from 'preact/hooks'
import { messageOf } from '../api'
import { store } from '../store'
import { t } from '../strings'

const LAST = 'balcao.last-login'

function lastLogin(): { office: string; user: string } {
  try {
    return JSON.parse(localStorage.getItem(LAST) ?? '') as { office: string; user: string }
  } catch {
    return { office: '', user: '' }
  }
}

/** Login is the full-page sign-in, or (again=true) the dialog over the app after a session ended. */
export function Login({ again = false, onGesture }: { again?: boolean; onGesture?: () => void }) {
  const me = store.get().me
  const last = lastLogin()
  const [office, setOffice] = useState(me?.office ?? last.office ?? '')
  const [user, setUser] = useState(me?.user ?? last.user ?? '')
  const [password, setPassword] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')

  const submit = async (e: Event) => {
    e.preventDefault()
    onGesture?.()
    setBusy(true)
    setError('')
    try {
      await store.login(office.trim(), user.trim(), password)
      try {
        localStorage.setItem(LAST, JSON.stringify({ office: office.trim(), user: user.trim() }))
      } catch {
        // not remembered
      }
    } catch (err) {
      setError(messageOf(err))
      setBusy(false)
    }
  }

  const form = (
    <form class="login-card" onSubmit={submit} id="login-form">
      <div class="brand">
        <span class="brand-mark" aria-hidden="true">
          <svg viewBox="0 0 32 32" width="40" height="40">
            <rect width="32" height="32" rx="9" fill="currentColor" />
            <path d="M8 10h16a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2h-9l-5 4v-4H8a2 2 0 0 1-2-2v-8a2 2 0 0 1 2-2z" fill="#fff" />
          </svg>
        </span>
        <div>
          <h1>{again ? t.loginAgainTitle : t.loginTitle}</h1>
          <p class="muted">{again ? t.loginAgainHint : t.appTagline}</p>
        </div>
      </div>
      <label>
        {t.office}
        <input name="office" autocomplete="organization" required value={office} onInput={(e) => setOffice(e.currentTarget.value)} disabled={again} />
      </label>
      <label>
        {t.user}
        <input name="user" autocomplete="username" required value={user} onInput={(e) => setUser(e.currentTarget.value)} />
      </label>
      <label>
        {t.password}
        <input name="password" type="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} autofocus={again || !!user} />
      </label>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <button class="btn primary block" type="submit" disabled={busy}>
        {busy ? t.entering : t.enter}
      </button>
    </form>
  )
  return again ? <div class="overlay">{form}</div> : <div class="login-page">{form}</div>
}
