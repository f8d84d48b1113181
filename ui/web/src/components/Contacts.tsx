import { useEffect, useState } from 'preact/hooks'
import { ApiError, messageOf } from '../api'
import { formatCNPJ, formatPhone, plausiblePhone, shortDate } from '../format'
import { useReloadOn, useStore } from '../hooks'
import { store } from '../store'
import { t } from '../strings'
import type { AddressBookPage, BroadcastList, Company, Contact, ImportLine, ImportReport } from '../types'
import { isManager } from './Nav'
import { ErrorBox, SaveActions, Screen } from './Screen'

const PAGE = 50

/** Contacts is Gerenciar contatos: every contact of the office, clients or not, with search,
 * add, edit, remove and the CSV import (administradores and gerentes change; all may look). */
export function Contacts() {
  const s = useStore()
  const manager = isManager(s.me?.role)
  const [query, setQuery] = useState('')
  const [list, setList] = useState<Contact[]>([])
  const [next, setNext] = useState('')
  const [total, setTotal] = useState(0)
  const [loading, setLoading] = useState(true)
  const [error, setError] = useState('')
  const [editing, setEditing] = useState<Contact | 'new' | null>(null)
  const [removing, setRemoving] = useState<Contact | null>(null)
  const [importing, setImporting] = useState(false)
  const [n, setN] = useState(0) // bumped to reload
  const [group, setGroup] = useState('') // a broadcast list: the groups of Contatos
  const [groups, setGroups] = useState<BroadcastList[]>([])
  const companies = s.companies ?? []
  const params = () => `limit=${PAGE}&q=${encodeURIComponent(query.trim())}&list=${encodeURIComponent(group)}`

  useEffect(() => {
    void store.loadCompanies().catch(() => undefined)
    // Lists are for managers: an attendant simply gets no group filter.
    if (manager) store.call<{ lists: BroadcastList[] }>('GET', '/api/lists').then((r) => setGroups(r.lists), () => undefined)
  }, [])

  // The first page again whenever the search changes (after a pause in typing).
  useEffect(() => {
    let live = true
    const id = setTimeout(() => {
      setLoading(true)
      store.call<AddressBookPage>('GET', `/api/addressbook?${params()}`).then(
        (r) => {
          if (!live) return
          setList(r.contacts)
          setNext(r.next)
          setTotal(r.total)
          setError('')
          setLoading(false)
        },
        (err) => {
          if (!live) return
          setError(messageOf(err))
          setLoading(false)
        },
      )
    }, 250)
    return () => {
      live = false
      clearTimeout(id)
    }
  }, [query, group, n])

  const more = async () => {
    try {
      const r = await store.call<AddressBookPage>('GET', `/api/addressbook?${params()}&cursor=${encodeURIComponent(next)}`)
      setList((l) => [...l, ...r.contacts])
      setNext(r.next)
    } catch (err) {
      setError(messageOf(err))
    }
  }
  const reload = () => setN((x) => x + 1)
  useReloadOn(['contacts.changed'], reload)
  const names = (c: Contact) => c.companies.map((id) => companies.find((co) => co.id === id)?.name ?? id)

  return (
    <Screen
      id="screen-contatos"
      title={t.contactsTitle}
      hint={manager ? t.contactsHint : t.contactsHintReadOnly}
      actions={
        manager && (
          <>
            <button class="btn" onClick={() => setImporting(true)} id="import-contacts">
              {t.importCsv}
            </button>
            <button class="btn primary" onClick={() => setEditing('new')} id="new-contact">
              {t.newContact}
            </button>
          </>
        )
      }
    >
      <div class="contacts-bar">
        <input
          type="search"
          id="contacts-search"
          placeholder={t.contactsSearch}
          aria-label={t.contactsSearch}
          value={query}
          onInput={(e) => setQuery(e.currentTarget.value)}
        />
        {groups.length > 0 && (
          <select id="contacts-group" aria-label={t.contactsGroup} value={group} onChange={(e) => setGroup(e.currentTarget.value)}>
            <option value="">{t.contactsAllGroups}</option>
            {groups.map((g) => (
              <option key={g.id} value={g.id}>
                {g.name}
              </option>
            ))}
          </select>
        )}
        <span class="muted" id="contacts-total">
          {t.contactsCount(total)}
        </span>
      </div>
      <ErrorBox message={error} />
      <div class="card table-card">
        <table class="table" id="contacts-table">
          <thead>
            <tr>
              <th>{t.name}</th>
              <th>{t.phone}</th>
              <th>{t.contactCompanies}</th>
              <th>{t.createdAt}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {loading && list.length === 0 && (
              <tr>
                <td colSpan={5} class="empty">
                  {t.loading}
                </td>
              </tr>
            )}
            {!loading && !error && list.length === 0 && (
              <tr>
                <td colSpan={5} class="empty">
                  {query.trim() ? t.contactsNoMatch : t.noContacts}
                </td>
              </tr>
            )}
            {list.map((c) => (
              <tr key={c.phone} data-contact={c.phone}>
                <td>
                  <strong>{c.name || t.none}</strong>
                </td>
                <td class="mono">{formatPhone(c.phone)}</td>
                <td>{c.companies.length ? names(c).join(', ') : <span class="chip">{t.notClient}</span>}</td>
                <td class="nowrap">{shortDate(c.createdAt)}</td>
                <td class="row-actions">
                  {manager && (
                    <>
                      <button class="btn ghost sm" onClick={() => setEditing(c)}>
                        {t.edit}
                      </button>
                      <button class="btn ghost sm danger-text" onClick={() => setRemoving(c)}>
                        {t.remove}
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {next && (
          <div class="table-foot">
            <button class="btn ghost" onClick={() => void more()}>
              {t.loadMore}
            </button>
          </div>
        )}
      </div>
      {editing && (
        <ContactForm
          contact={editing === 'new' ? null : editing}
          companies={companies}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null)
            reload()
          }}
        />
      )}
      {removing && (
        <RemoveDialog
          contact={removing}
          onClose={() => setRemoving(null)}
          onRemoved={() => {
            setRemoving(null)
            reload()
          }}
        />
      )}
      {importing && (
        <ImportDialog
          onClose={(changed) => {
            setImporting(false)
            if (changed) reload()
          }}
        />
      )}
    </Screen>
  )
}

function ContactForm({ contact, companies, onClose, onSaved }: { contact: Contact | null; companies: Company[]; onClose: () => void; onSaved: () => void }) {
  const [phone, setPhone] = useState(contact ? formatPhone(contact.phone) : '')
  const [name, setName] = useState(contact?.name ?? '')
  const [chosen, setChosen] = useState<string[]>(contact?.companies ?? [])
  const [filter, setFilter] = useState('')
  const [fields, setFields] = useState<Record<string, string>>({})
  const [error, setError] = useState('')
  const [busy, setBusy] = useState(false)

  const submit = async (e: Event) => {
    e.preventDefault()
    const f: Record<string, string> = {}
    if (!contact && !plausiblePhone(phone)) f.phone = t.phoneInvalid
    if (!name.trim()) f.name = t.nameRequired
    setFields(f)
    if (Object.keys(f).length) return
    setBusy(true)
    setError('')
    try {
      if (contact) await store.call('PUT', `/api/addressbook/${encodeURIComponent(contact.phone)}`, { name: name.trim(), companies: chosen })
      else await store.call('POST', '/api/addressbook', { phone: phone.trim(), name: name.trim(), companies: chosen })
      onSaved()
    } catch (err) {
      if (err instanceof ApiError) setFields(err.fields)
      setError(messageOf(err))
      setBusy(false)
    }
  }
  const toggle = (id: string) => setChosen((c) => (c.includes(id) ? c.filter((x) => x !== id) : [...c, id]))
  const words = filter.trim().toLowerCase()
  const shown = companies.filter((c) => chosen.includes(c.id) || !words || c.name.toLowerCase().includes(words) || c.cnpj.includes(words.replace(/\D/g, '') || '\u0000'))

  return (
    <div class="overlay" onClick={(e) => e.target === e.currentTarget && onClose()}>
      <form class="dialog" onSubmit={submit} id="contact-form" noValidate>
        <h2>{contact ? t.editContact : t.newContact}</h2>
        <label>
          {t.phone}
          <input name="phone" value={phone} inputMode="tel" placeholder="(48) 99999-0001" disabled={!!contact} onInput={(e) => setPhone(e.currentTarget.value)} />
          {fields.phone && <span class="field-error">{fields.phone}</span>}
        </label>
        <label>
          {t.name}
          <input name="name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
          {fields.name && <span class="field-error">{fields.name}</span>}
        </label>
        <fieldset class="contact-companies">
          <legend>{t.contactCompanies}</legend>
          <p class="muted small">{t.contactCompaniesHint}</p>
          {companies.length > 8 && <input type="search" placeholder={t.filterCompanies} aria-label={t.filterCompanies} value={filter} onInput={(e) => setFilter(e.currentTarget.value)} />}
          <div class="contact-company-list">
            {shown.map((c) => (
              <label class="check" key={c.id}>
                <input type="checkbox" name="company" value={c.id} checked={chosen.includes(c.id)} onChange={() => toggle(c.id)} /> {c.name}
                <span class="muted small"> {formatCNPJ(c.cnpj)}</span>
              </label>
            ))}
          </div>
          {fields.companies && <span class="field-error">{fields.companies}</span>}
        </fieldset>
        <ErrorBox message={error} />
        <SaveActions busy={busy} onCancel={onClose} />
      </form>
    </div>
  )
}

function RemoveDialog({ contact, onClose, onRemoved }: { contact: Contact; onClose: () => void; onRemoved: () => void }) {
  const [error, setError] = useState('')
  const [busy, setBusy] = useState(false)
  const remove = async () => {
    setBusy(true)
    setError('')
    try {
      await store.call('DELETE', `/api/addressbook/${encodeURIComponent(contact.phone)}`)
      onRemoved()
    } catch (err) {
      setError(messageOf(err))
      setBusy(false)
    }
  }
  return (
    <div class="overlay" onClick={(e) => e.target === e.currentTarget && onClose()}>
      <div class="dialog" id="remove-contact" role="dialog" aria-modal="true">
        <h2>{t.removeContactTitle}</h2>
        <p>{t.removeContactBody(contact.name || formatPhone(contact.phone))}</p>
        <ErrorBox message={error} />
        <div class="dialog-actions">
          <button type="button" class="btn ghost" onClick={onClose}>
            {t.cancel}
          </button>
          <button type="button" class="btn primary" disabled={busy} onClick={() => void remove()} id="remove-contact-confirm">
            {t.remove}
          </button>
        </div>
      </div>
    </div>
  )
}

const MAX_IMPORT = 2 << 20

/** ImportDialog: pick a CSV, see the preview (line by line), confirm to import the valid lines. */
function ImportDialog({ onClose }: { onClose: (changed: boolean) => void }) {
  const [file, setFile] = useState<File | null>(null)
  const [report, setReport] = useState<ImportReport | null>(null)
  const [done, setDone] = useState(false)
  const [error, setError] = useState('')
  const [busy, setBusy] = useState(false)
  const [onlyErrors, setOnlyErrors] = useState(false)

  const send = async (f: File, preview: boolean) => {
    const form = new FormData()
    form.append('file', f)
    setBusy(true)
    setError('')
    try {
      const r = await store.call<ImportReport>('POST', '/api/addressbook/import' + (preview ? '?preview=1' : ''), form)
      setReport(r)
      setDone(!preview)
    } catch (err) {
      setError(messageOf(err))
      if (preview) setReport(null)
    } finally {
      setBusy(false)
    }
  }
  const pick = (f: File | undefined) => {
    setDone(false)
    setReport(null)
    setFile(f ?? null)
    if (!f) return
    if (f.size > MAX_IMPORT) {
      setError(t.importTooBig)
      return
    }
    void send(f, true)
  }
  const valid = report ? report.counts.new + report.counts.update : 0
  const lines = (report?.lines ?? []).filter((l) => !onlyErrors || l.status === 'error')

  return (
    <div class="overlay" onClick={(e) => e.target === e.currentTarget && !busy && onClose(done)}>
      <div class="dialog import-dialog" id="import-dialog" role="dialog" aria-modal="true">
        <h2>{t.importTitle}</h2>
        <p class="muted">{t.importHint}</p>
        {!done && (
          <label>
            {t.importFile}
            <input type="file" accept=".csv,text/csv" id="import-file" disabled={busy} onChange={(e) => pick(e.currentTarget.files?.[0])} />
          </label>
        )}
        <ErrorBox message={error} />
        {busy && <p class="muted">{t.importReading}</p>}
        {report && (
          <>
            <p class={done ? 'notice' : ''} id="import-summary" role="status">
              {done ? t.importDone(report.counts) : t.importSummary(report.counts)}
            </p>
            {report.counts.error > 0 && (
              <label class="check">
                <input type="checkbox" checked={onlyErrors} onChange={(e) => setOnlyErrors(e.currentTarget.checked)} /> {t.importOnlyErrors}
              </label>
            )}
            <div class="import-preview">
              <table class="table" id="import-table">
                <thead>
                  <tr>
                    <th>{t.importLine}</th>
                    <th>{t.phone}</th>
                    <th>{t.name}</th>
                    <th>{t.contactCompanies}</th>
                    <th>{t.importStatus}</th>
                  </tr>
                </thead>
                <tbody>
                  {lines.map((l) => (
                    <ImportRow key={l.line} l={l} />
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
        <div class="dialog-actions">
          <button type="button" class="btn ghost" onClick={() => onClose(done)} disabled={busy} id="import-close">
            {done ? t.close : t.cancel}
          </button>
          {report && !done && (
            <button type="button" class="btn primary" disabled={busy || valid === 0 || !file} onClick={() => file && void send(file, false)} id="import-confirm">
              {t.importConfirm(valid)}
            </button>
          )}
        </div>
      </div>
    </div>
  )
}

function ImportRow({ l }: { l: ImportLine }) {
  const ok = l.status !== 'error'
  return (
    <tr class={ok ? 'import-ok' : 'import-error'} data-line={l.line} data-status={l.status}>
      <td class="mono">{l.line}</td>
      <td class="mono nowrap">{ok ? formatPhone(l.phone) : l.phone}</td>
      <td>{l.name}</td>
      <td>{l.companies.map((c) => c.name).join(', ')}</td>
      <td>{ok ? <span class="chip">{t.importStatuses[l.status] ?? l.status}</span> : <span class="field-error">{l.error}</span>}</td>
    </tr>
  )
}
