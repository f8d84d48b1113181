import { useEffect, useState } from 'preact/hooks'
import { formatPhone } from '../format'
import { useAttempt, useLoad, useOneAtATime, useReloadOn, useStore } from '../hooks'
import { store } from '../store'
import { t } from '../strings'
import type { WhatsAppStatus } from '../types'
import { ErrorBox, Screen } from './Screen'

/** WhatsApp shows the office's connection and, to an administrador while pairing, the QR code
 * to scan. An administrador asks for new codes once they expire (or after unlinking), asks for
 * a pairing code instead of the QR code, and unlinks the office's number. The others see the
 * state and that an administrador connects it: the server never gives them the QR code (whoever
 * scans it links their phone as the office's WhatsApp). */
export function WhatsApp() {
  const s = useStore()
  const admin = s.me?.role === 'administrador'
  const st = useLoad<WhatsAppStatus>('/api/whatsapp/status')
  useReloadOn(['whatsapp.status'], st.reload, 200) // live: every new code and state
  // While pairing the QR code rotates: poll as well, should a frame be missed.
  useEffect(() => {
    if (st.data?.state !== 'waiting_qr' && st.data?.state !== 'connecting') return
    const id = setInterval(st.reload, 5000)
    return () => clearInterval(id)
  }, [st.data?.state])
  const act = useAttempt()
  const one = useOneAtATime()
  const [code, setCode] = useState('')
  const [pairPhone, setPairPhone] = useState('')
  const post = (path: string, body?: unknown) =>
    one.run(async () => {
      if (await act.attempt(() => store.call('POST', path, body))) st.reload()
    })
  const connect = () => {
    setCode('')
    void post('/api/whatsapp/connect')
  }
  const logout = () => {
    if (!confirm(t.waConfirmLogout)) return
    setCode('')
    void post('/api/whatsapp/logout')
  }
  const askCode = (e: Event) => {
    e.preventDefault()
    void one.run(async () => {
      await act.attempt(async () => {
        const r = await store.call<{ code: string }>('POST', '/api/whatsapp/pair-phone', { phone: pairPhone })
        setCode(r.code)
      })
    })
  }
  const d = st.data
  const linked = !!d?.phone && d.state !== 'logged_out'
  return (
    <Screen
      id="screen-whatsapp"
      title={t.waTitle}
      hint={t.waHint}
      actions={
        <button class="btn ghost" onClick={st.reload}>
          {t.refresh}
        </button>
      }
    >
      <ErrorBox message={st.error} />
      {d && (
        <div class="card pad wa">
          <p>
            <span class={'chip wa-' + d.state}>{t.waStates[d.state] ?? d.state}</span>
          </p>
          {d.phone && (
            <p>
              {t.waPhone}: <strong>{formatPhone(d.phone)}</strong>
            </p>
          )}
          {d.state === 'logged_out' && <p class="wa-advice">{admin ? t.waPairAgain : t.waNotLinked}</p>}
          {!admin && (d.state === 'waiting_qr' || d.state === 'logged_out') && <p class="wa-advice wa-admin-only">{t.waAdminOnly}</p>}
          {d.state === 'unreachable' && <p class="wa-advice">{t.waUnreachable}</p>}
          {d.error && (
            <p class="muted wa-error">
              {t.waDetail}: {d.error}
            </p>
          )}
          {admin && d.state === 'waiting_qr' && d.qr && (
            <>
              <p class="muted">{t.waScan}</p>
              <QR text={d.qr} />
            </>
          )}
          <ErrorBox message={act.error} />
          {admin && d.state === 'waiting_qr' && (
            <form class="inline-form wa-pair" onSubmit={askCode}>
              <label>
                {t.waPairPhone}
                <input inputMode="tel" value={pairPhone} placeholder="+55 48 99999-0001" onInput={(e) => setPairPhone(e.currentTarget.value)} />
              </label>
              <button class="btn" type="submit" disabled={one.busy || !pairPhone.trim()}>
                {t.waAskCode}
              </button>
            </form>
          )}
          {code && d.state === 'waiting_qr' && (
            <p class="wa-code">
              {t.waCodeHint} <strong>{code}</strong>
            </p>
          )}
          {admin && (
            <p class="wa-actions">
              {(d.state === 'logged_out' || d.state === 'unreachable') && (
                <button class="btn primary" id="wa-connect" disabled={one.busy} onClick={connect}>
                  {d.state === 'logged_out' ? t.waNewQR : t.waReconnect}
                </button>
              )}
              {linked && (
                <button class="btn danger" id="wa-logout" disabled={one.busy} onClick={logout}>
                  {t.waLogout}
                </button>
              )}
            </p>
          )}
        </div>
      )}
    </Screen>
  )
}

/** QR draws a QR code as SVG rectangles; the encoder (uqr) loads only on this screen. */
function QR({ text }: { text: string }) {
  const [cells, setCells] = useState<boolean[][] | null>(null)
  useEffect(() => {
    let live = true
    void import('../qr').then(({ encode }) => live && setCells(encode(text, { ecc: 'L', border: 2 }).data))
    return () => {
      live = false
    }
  }, [text])
  if (!cells) return <div class="qr placeholder" />
  const n = cells.length
  let d = ''
  cells.forEach((row, y) =>
    row.forEach((on, x) => {
      if (on) d += `M${x} ${y}h1v1h-1z`
    }),
  )
  return (
    <svg class="qr" viewBox={`0 0 ${n} ${n}`} shape-rendering="crispEdges" role="img" aria-label="QR Code">
      <rect width={n} height={n} fill="#fff" />
      <path d={d} fill="#111" />
    </svg>
  )
}
