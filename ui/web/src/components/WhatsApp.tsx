import { useEffect, useState } from 'preact/hooks'
import { formatPhone } from '../format'
import { useLoad } from '../hooks'
import { t } from '../strings'
import type { WhatsAppStatus } from '../types'
import { ErrorBox, Screen } from './Screen'

/** WhatsApp shows the office's connection and, while pairing, the QR code to scan. */
export function WhatsApp() {
  const st = useLoad<WhatsAppStatus>('/api/whatsapp/status')
  // While pairing the QR code rotates: poll.
  useEffect(() => {
    if (st.data?.state !== 'waiting_qr' && st.data?.state !== 'connecting') return
    const id = setInterval(st.reload, 5000)
    return () => clearInterval(id)
  }, [st.data?.state])
  const d = st.data
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
          {d.error && <ErrorBox message={d.error} />}
          {d.state === 'waiting_qr' && d.qr && (
            <>
              <p class="muted">{t.waScan}</p>
              <QR text={d.qr} />
            </>
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
