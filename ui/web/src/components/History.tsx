import { useLoad } from '../hooks'
import { t } from '../strings'
import { ErrorBox, Screen } from './Screen'

/** History is the service history; the server allows it to administradores and gerentes only
 * and its message (403) is shown as is. */
export function History() {
  const h = useLoad<Record<string, unknown>>('/api/history')
  const items = h.data ? (Object.values(h.data).find(Array.isArray) as unknown[] | undefined) : undefined
  return (
    <Screen id="screen-historico" title={t.historyTitle} hint={t.historyHint}>
      <ErrorBox message={h.error} />
      {h.loading && <p class="muted">{t.loading}</p>}
      {h.data && (
        <div class="card pad">
          {!items || items.length === 0 ? (
            <p class="muted">{t.historyEmpty}</p>
          ) : (
            <ul class="plain-list">
              {items.map((it, i) => (
                <li key={i} class="mono small">
                  {JSON.stringify(it)}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </Screen>
  )
}
