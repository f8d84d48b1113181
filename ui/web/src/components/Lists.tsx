import { useEffect, useState } from 'preact/hooks'
import { messageOf } from '../api'
import { formatPhone } from '../format'
import { useAttempt, useOneAtATime } from '../hooks'
import { store } from '../store'
import { t } from '../strings'
import type { BroadcastList, Company, Contact } from '../types'
import { ErrorBox, Screen } from './Screen'

/** Listas de Transmissão: named sets of contacts and companies that broadcasts go to. */
export function Lists() {
  const [lists, setLists] = useState<BroadcastList[]>([])
  const [companies, setCompanies] = useState<Company[]>([])
  const [contacts, setContacts] = useState<Contact[]>([])
  const { error, setError, fields, setFields, attempt } = useAttempt()
  const [editing, setEditing] = useState<string>('') // list id, '' for a new one
  const [name, setName] = useState('')
  const [chosenCompanies, setChosenCompanies] = useState<string[]>([])
  const [chosenContacts, setChosenContacts] = useState<string[]>([])
  const [filter, setFilter] = useState('')
  // One save or removal at a time: Salvar pressed again while a new list is on its way would
  // make a second list of the same name.
  const { busy, run: once } = useOneAtATime()

  const load = () =>
    store
      .call<{ lists: BroadcastList[] }>('GET', '/api/lists')
      .then((r) => setLists(r.lists))
      .catch((err) => setError(messageOf(err)))
  useEffect(() => {
    void load()
    store.loadCompanies().then(setCompanies, (err) => setError(messageOf(err)))
    store.call<{ contacts: Contact[] }>('GET', '/api/contacts').then(
      (r) => setContacts(r.contacts),
      (err) => setError(messageOf(err)),
    )
  }, [])

  const reset = () => {
    setEditing('')
    setName('')
    setChosenCompanies([])
    setChosenContacts([])
    setFields({})
  }
  const edit = (l: BroadcastList) => {
    setEditing(l.id)
    setName(l.name)
    setChosenCompanies(l.companies)
    setChosenContacts(l.contacts)
    setFields({})
  }
  const toggle = (list: string[], set: (v: string[]) => void, v: string) => set(list.includes(v) ? list.filter((x) => x !== v) : [...list, v])

  const save = (e: Event) => {
    e.preventDefault()
    const body = { name, companies: chosenCompanies, contacts: chosenContacts }
    return once(async () => {
      const ok = await attempt(() =>
        editing ? store.call('PUT', `/api/lists/${encodeURIComponent(editing)}`, body) : store.call('POST', '/api/lists', body),
      )
      if (ok) {
        reset()
        await load()
      }
    })
  }
  const remove = (l: BroadcastList) =>
    once(async () => {
      if (!(await attempt(() => store.call('DELETE', `/api/lists/${encodeURIComponent(l.id)}`)))) return
      if (editing === l.id) reset()
      await load()
    })

  const f = filter.trim().toLowerCase()
  const shown = contacts.filter((c) => !f || c.name.toLowerCase().includes(f) || c.phone.includes(f)).slice(0, 200)
  return (
    <Screen id="screen-listas" title={t.listsTitle} hint={t.listsHint}>
      <ErrorBox message={error} />
      <form class="card form" onSubmit={save} id="list-form">
        <label>
          {t.listName}
          <input value={name} onInput={(e) => setName(e.currentTarget.value)} id="list-name" />
          {fields.name && <small class="error">{fields.name}</small>}
        </label>
        <fieldset>
          <legend>{t.listCompanies}</legend>
          {companies.map((c) => (
            <label class="check" key={c.id}>
              <input type="checkbox" class="list-company" value={c.id} checked={chosenCompanies.includes(c.id)} onChange={() => toggle(chosenCompanies, setChosenCompanies, c.id)} />
              {c.name}
            </label>
          ))}
          {Object.entries(fields)
            .filter(([k]) => k.startsWith('companies'))
            .map(([k, v]) => (
              <small class="error" key={k}>
                {v}
              </small>
            ))}
        </fieldset>
        <fieldset>
          <legend>{t.listContacts}</legend>
          <input value={filter} onInput={(e) => setFilter(e.currentTarget.value)} placeholder={t.search} id="list-filter" />
          {shown.map((c) => (
            <label class="check" key={c.phone}>
              <input type="checkbox" class="list-contact" value={c.phone} checked={chosenContacts.includes(c.phone)} onChange={() => toggle(chosenContacts, setChosenContacts, c.phone)} />
              {c.name || formatPhone(c.phone)} <span class="muted">{formatPhone(c.phone)}</span>
            </label>
          ))}
          {Object.entries(fields)
            .filter(([k]) => k.startsWith('contacts'))
            .map(([k, v]) => (
              <small class="error" key={k}>
                {v}
              </small>
            ))}
        </fieldset>
        <div class="dialog-actions">
          {editing && (
            <button class="btn ghost" type="button" onClick={reset}>
              {t.listNew}
            </button>
          )}
          <button class="btn primary" type="submit" id="list-save" disabled={busy}>
            {busy ? t.saving : t.listSave}
          </button>
        </div>
      </form>
      <div class="card table-card">
        <table class="table" id="lists-table">
          <tbody>
            {lists.length === 0 && (
              <tr>
                <td class="empty">{t.listsEmpty}</td>
              </tr>
            )}
            {lists.map((l) => (
              <tr key={l.id} data-list={l.id}>
                <td>{l.name}</td>
                <td class="muted">{t.listMembers(l.contacts.length, l.companies.length)}</td>
                <td class="nowrap">
                  <button class="btn ghost sm" onClick={() => edit(l)}>
                    {t.listEdit}
                  </button>
                  <button class="btn ghost sm" disabled={busy} onClick={() => void remove(l)}>
                    {t.listRemove}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Screen>
  )
}
