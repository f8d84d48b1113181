import { useEffect, useState } from 'preact/hooks'
import { messageOf } from '../api'
import { useAttempt, useOneAtATime, useStore } from '../hooks'
import { store } from '../store'
import { t } from '../strings'
import type { CannedAnswer } from '../types'
import { isManager } from './Nav'
import { ErrorBox, Screen } from './Screen'

/** Respostas Padrão: the shared answers (kept by managers) and the user's own, picked with "/". */
export function Canned() {
  const s = useStore()
  const manager = isManager(s.me?.role)
  const [list, setList] = useState<CannedAnswer[]>([])
  const { error, setError, fields, attempt } = useAttempt()
  const [shortcut, setShortcut] = useState('')
  const [text, setText] = useState('')
  const [personal, setPersonal] = useState(!manager)
  // One addition or removal at a time: Adicionar pressed again while an answer is on its way
  // would send it again (and show "already exists" for the answer just added).
  const { busy, run: once } = useOneAtATime()
  const load = () =>
    store
      .call<{ canned: CannedAnswer[] }>('GET', '/api/canned')
      .then((r) => setList(r.canned))
      .catch((err) => setError(messageOf(err)))
  useEffect(() => {
    void load()
  }, [])

  const add = (e: Event) => {
    e.preventDefault()
    return once(async () => {
      const ok = await attempt(() => store.call('POST', '/api/canned', { shortcut, text, personal }))
      if (ok) {
        setShortcut('')
        setText('')
        await load()
      }
    })
  }
  const remove = (c: CannedAnswer) =>
    once(async () => {
      if (await attempt(() => store.call('DELETE', `/api/canned/${encodeURIComponent(c.id)}`))) await load()
    })

  return (
    <Screen id="screen-respostas" title={t.cannedTitle} hint={t.cannedScreenHint}>
      <ErrorBox message={error} />
      <form class="card form" onSubmit={add} id="canned-form">
        <label>
          {t.cannedShortcut}
          <input value={shortcut} onInput={(e) => setShortcut(e.currentTarget.value)} id="canned-shortcut" placeholder="boasvindas" />
          {fields.shortcut && <small class="error">{fields.shortcut}</small>}
        </label>
        <label>
          {t.cannedText}
          <textarea value={text} onInput={(e) => setText(e.currentTarget.value)} id="canned-text" rows={3} placeholder={t.cannedTextHint} />
          {fields.text && <small class="error">{fields.text}</small>}
        </label>
        <label class="check">
          <input type="checkbox" checked={personal || !manager} disabled={!manager} onChange={(e) => setPersonal(e.currentTarget.checked)} id="canned-personal" />
          {t.cannedPersonal}
        </label>
        <button class="btn primary" type="submit" id="canned-add" disabled={busy}>
          {busy ? t.saving : t.cannedAdd}
        </button>
      </form>
      <div class="card table-card">
        <table class="table">
          <thead>
            <tr>
              <th>{t.cannedShortcut}</th>
              <th>{t.cannedText}</th>
              <th>{t.cannedScope}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.map((c) => (
              <tr key={c.id} data-canned={c.shortcut}>
                <td>
                  <code>/{c.shortcut}</code>
                </td>
                <td>{c.text}</td>
                <td>{c.owner ? t.cannedMine : t.cannedShared}</td>
                <td>
                  {(c.owner || manager) && (
                    <button class="btn sm" disabled={busy} onClick={() => void remove(c)}>
                      {t.remove}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Screen>
  )
}
