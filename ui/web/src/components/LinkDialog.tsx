import { useEffect, useState } from 'preact/hooks'
import { messageOf } from '../api'
import { formatCNPJ, formatPhone } from '../format'
import { store } from '../store'
import { t } from '../strings'
import type { Company, Conversation } from '../types'
import { SaveActions } from './Screen'

/** LinkDialog makes an unknown phone a contact of a company. */
export function LinkDialog({ c, onClose }: { c: Conversation; onClose: () => void }) {
  const [companies, setCompanies] = useState<Company[] | null>(null)
  const [company, setCompany] = useState('')
  const [name, setName] = useState(c.contact.name)
  const [error, setError] = useState('')
  const [busy, setBusy] = useState(false)
  useEffect(() => {
    store.loadCompanies(true).then(setCompanies, (err) => setError(messageOf(err)))
  }, [])

  const submit = async (e: Event) => {
    e.preventDefault()
    if (!company) {
      setError(t.chooseCompany)
      return
    }
    if (!name.trim()) {
      setError(t.nameRequired)
      return
    }
    setBusy(true)
    setError('')
    try {
      await store.link(c.id, company, name.trim())
      onClose()
    } catch (err) {
      setError(messageOf(err))
      setBusy(false)
    }
  }

  return (
    <div class="overlay" onClick={(e) => e.target === e.currentTarget && onClose()}>
      <form class="dialog" onSubmit={submit} id="link-dialog">
        <h2>{t.linkTitle}</h2>
        <p class="muted">{t.linkHint(formatPhone(c.id))}</p>
        <label>
          {t.company}
          <select value={company} onChange={(e) => setCompany(e.currentTarget.value)} name="company" required>
            <option value="">{companies ? t.chooseCompany : t.loading}</option>
            {(companies ?? [])
              .filter((co) => co.enabled)
              .map((co) => (
                <option key={co.id} value={co.id}>
                  {co.name} — {formatCNPJ(co.cnpj)}
                </option>
              ))}
          </select>
        </label>
        <label>
          {t.contactName}
          <input name="name" value={name} maxLength={200} onInput={(e) => setName(e.currentTarget.value)} required />
        </label>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <SaveActions busy={busy} onCancel={onClose} />
      </form>
    </div>
  )
}
