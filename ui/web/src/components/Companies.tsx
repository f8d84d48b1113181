import { useState } from 'preact/hooks'
import { ApiError, messageOf } from '../api'
import { formatCNPJ, formatPhone, normalizeCNPJ, plausiblePhone, shortDate } from '../format'
import { go, useLoad, useReloadOn } from '../hooks'
import { store } from '../store'
import { t } from '../strings'
import type { Company, Contact } from '../types'
import { ErrorBox, SaveActions, Screen } from './Screen'

/** Companies is Habilitação de Clientes: companies, their switches and their contacts. */
export function Companies({ selected }: { selected?: string }) {
  const list = useLoad<{ companies: Company[] }>('/api/companies')
  useReloadOn(['contacts.changed'], list.reload)
  const [editing, setEditing] = useState<Company | 'new' | null>(null)
  const [error, setError] = useState('')
  const companies = list.data?.companies ?? []
  const current = companies.find((c) => c.id === selected)

  const toggle = async (c: Company, field: 'enabled' | 'useAssistant') => {
    setError('')
    try {
      await store.call('PUT', `/api/companies/${encodeURIComponent(c.id)}`, {
        name: c.name,
        cnpj: c.cnpj,
        enabled: field === 'enabled' ? !c.enabled : c.enabled,
        useAssistant: field === 'useAssistant' ? !c.useAssistant : c.useAssistant,
      })
      list.reload()
    } catch (err) {
      setError(messageOf(err))
    }
  }

  return (
    <Screen
      id="screen-clientes"
      title={t.clientsTitle}
      hint={t.clientsHint}
      actions={
        <button class="btn primary" onClick={() => setEditing('new')} id="new-company">
          {t.newCompany}
        </button>
      }
    >
      <ErrorBox message={list.error || error} />
      <div class="split">
        <div class="card table-card">
          <table class="table">
            <thead>
              <tr>
                <th>{t.id}</th>
                <th>{t.companyName}</th>
                <th>{t.cnpj}</th>
                <th>{t.createdAt}</th>
                <th>{t.enabled}</th>
                <th>{t.useAssistant}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {list.loading && companies.length === 0 && (
                <tr>
                  <td colSpan={7} class="empty">
                    {t.loading}
                  </td>
                </tr>
              )}
              {!list.loading && !list.error && companies.length === 0 && (
                <tr>
                  <td colSpan={7} class="empty">
                    {t.noCompanies}
                  </td>
                </tr>
              )}
              {companies.map((c) => (
                <tr key={c.id} class={c.id === selected ? 'selected' : ''} onClick={() => go('clientes', c.id)} data-company={c.id}>
                  <td class="mono">{c.id}</td>
                  <td>
                    <strong>{c.name}</strong>
                  </td>
                  <td class="mono">{formatCNPJ(c.cnpj)}</td>
                  <td class="nowrap">{shortDate(c.createdAt)}</td>
                  <td onClick={(e) => e.stopPropagation()}>
                    <Switch on={c.enabled} label={t.enabled} onChange={() => toggle(c, 'enabled')} />
                  </td>
                  <td onClick={(e) => e.stopPropagation()}>
                    <Switch on={c.useAssistant} label={t.useAssistant} onChange={() => toggle(c, 'useAssistant')} />
                  </td>
                  <td onClick={(e) => e.stopPropagation()}>
                    <button class="btn ghost sm" onClick={() => setEditing(c)}>
                      {t.edit}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div class="card side-card">{current ? <Contacts company={current} /> : <p class="muted pad">{t.pickCompany}</p>}</div>
      </div>
      {editing && (
        <CompanyForm
          company={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null)
            list.reload()
          }}
        />
      )}
    </Screen>
  )
}

function Switch({ on, label, onChange }: { on: boolean; label: string; onChange: () => void }) {
  return (
    <button type="button" role="switch" aria-checked={on} aria-label={label} class={'switch' + (on ? ' on' : '')} onClick={onChange}>
      <span />
    </button>
  )
}

function CompanyForm({ company, onClose, onSaved }: { company: Company | null; onClose: () => void; onSaved: () => void }) {
  const [name, setName] = useState(company?.name ?? '')
  const [cnpj, setCnpj] = useState(company ? formatCNPJ(company.cnpj) : '')
  const [enabled, setEnabled] = useState(company?.enabled ?? true)
  const [useAssistant, setUseAssistant] = useState(company?.useAssistant ?? true)
  const [fields, setFields] = useState<Record<string, string>>({})
  const [error, setError] = useState('')
  const [busy, setBusy] = useState(false)

  const submit = async (e: Event) => {
    e.preventDefault()
    const f: Record<string, string> = {}
    const digits = normalizeCNPJ(cnpj)
    if (!digits) f.cnpj = t.cnpjInvalid
    if (!name.trim()) f.name = t.nameRequired
    setFields(f)
    if (Object.keys(f).length) return
    setBusy(true)
    setError('')
    const body = { name: name.trim(), cnpj: digits, enabled, useAssistant }
    try {
      if (company) await store.call('PUT', `/api/companies/${encodeURIComponent(company.id)}`, body)
      else await store.call('POST', '/api/companies', body)
      void store.loadCompanies(true).catch(() => undefined)
      onSaved()
    } catch (err) {
      if (err instanceof ApiError) setFields(err.fields)
      setError(messageOf(err))
      setBusy(false)
    }
  }

  return (
    <div class="overlay" onClick={(e) => e.target === e.currentTarget && onClose()}>
      <form class="dialog" onSubmit={submit} id="company-form" noValidate>
        <h2>{company ? t.editCompany : t.newCompany}</h2>
        <label>
          {t.companyName}
          <input name="name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
          {fields.name && <span class="field-error">{fields.name}</span>}
        </label>
        <label>
          {t.cnpj}
          <input
            name="cnpj"
            value={cnpj}
            inputMode="numeric"
            placeholder="00.000.000/0000-00"
            onInput={(e) => setCnpj(e.currentTarget.value)}
            onBlur={() => {
              const d = normalizeCNPJ(cnpj)
              if (d) setCnpj(formatCNPJ(d))
              setFields((f) => ({ ...f, cnpj: d || !cnpj ? '' : t.cnpjInvalid }))
            }}
          />
          {fields.cnpj && <span class="field-error">{fields.cnpj}</span>}
        </label>
        <label class="check">
          <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} /> {t.enabled}
        </label>
        <label class="check">
          <input type="checkbox" checked={useAssistant} onChange={(e) => setUseAssistant(e.currentTarget.checked)} /> {t.useAssistant}
        </label>
        <ErrorBox message={error} />
        <SaveActions busy={busy} onCancel={onClose} />
      </form>
    </div>
  )
}

function Contacts({ company }: { company: Company }) {
  const list = useLoad<{ contacts: Contact[] }>(`/api/contacts?company=${encodeURIComponent(company.id)}`)
  useReloadOn(['contacts.changed'], list.reload)
  const [phone, setPhone] = useState('')
  const [name, setName] = useState('')
  const [error, setError] = useState('')
  const [busy, setBusy] = useState(false)

  const add = async (e: Event) => {
    e.preventDefault()
    if (!plausiblePhone(phone)) {
      setError(t.phoneInvalid)
      return
    }
    if (!name.trim()) {
      setError(t.nameRequired)
      return
    }
    setBusy(true)
    setError('')
    try {
      await store.call('POST', '/api/contacts', { phone: phone.trim(), name: name.trim(), companies: [company.id] })
      setPhone('')
      setName('')
      list.reload()
    } catch (err) {
      setError(messageOf(err))
    } finally {
      setBusy(false)
    }
  }

  const remove = async (c: Contact) => {
    if (!confirm(t.confirmRemoveContact(c.name, company.name))) return
    setError('')
    try {
      await store.call('DELETE', `/api/contacts/${encodeURIComponent(c.phone)}/companies/${encodeURIComponent(company.id)}`)
      list.reload()
    } catch (err) {
      setError(messageOf(err))
    }
  }

  const contacts = list.data?.contacts ?? []
  return (
    <div class="contacts" id="contacts">
      <h2>{t.contactsOf(company.name)}</h2>
      <ErrorBox message={list.error || error} />
      <ul class="plain-list">
        {!list.loading && !list.error && contacts.length === 0 && <li class="muted">{t.noContacts}</li>}
        {contacts.map((c) => (
          <li key={c.phone}>
            <span>
              <strong>{c.name}</strong>
              <span class="muted"> {formatPhone(c.phone)}</span>
            </span>
            <button class="btn ghost sm" onClick={() => remove(c)}>
              {t.remove}
            </button>
          </li>
        ))}
      </ul>
      <form class="inline-form" onSubmit={add}>
        <input placeholder={t.phone} aria-label={t.phone} value={phone} onInput={(e) => setPhone(e.currentTarget.value)} inputMode="tel" />
        <input placeholder={t.name} aria-label={t.name} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        <button class="btn primary" disabled={busy}>
          {t.addContact}
        </button>
      </form>
    </div>
  )
}
