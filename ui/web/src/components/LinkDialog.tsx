import { useEffect, useState } from 'preact/hooks'
import { messageOf } from '../api'
import { formatCNPJ, formatPhone } from '../format'
import { useStore } from '../hooks'
import { store } from '../store'
import { t } from '../strings'
import type { Company, Conversation } from '../types'
import { isManager } from './Nav'
import { SaveActions } from './Screen'

/** LinkDialog makes an unknown phone a contact of a company, with the name typed. Until the
 * name is edited it follows the contact's (a rename elsewhere shows). Only administradores and
 * gerentes rename a contact that has a name: for the other staff that name shows, read-only,
 * and the link keeps it. */
export function LinkDialog({ c, onClose }: { c: Conversation; onClose: () => void }) {
  const me = useStore().me
  const [companies, setCompanies] = useState<Company[] | null>(null)
  const [company, setCompany] = useState('')
  const [edited, setName] = useState<string | null>(null)
  const [locked] = useState(() => !isManager(me?.role) && c.contact.name !== '')
  const name = locked ? c.contact.name : (edited ?? c.contact.name)
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
      await store.link(c.id, company, locked ? '' : name.trim())
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
          <input name="name" value={name} maxLength={200} readOnly={locked} onInput={(e) => setName(e.currentTarget.value)} required />
          {locked && <small class="muted">{t.linkNameLocked}</small>}
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
