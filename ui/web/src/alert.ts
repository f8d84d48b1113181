// The sound and the browser notification for a new pending conversation. The AudioContext is
// owned by the caller (App keeps it in a ref), created after a user gesture as browsers require.
import { t } from './strings'

/** chime plays a short two-note ding generated with WebAudio (no audio file). */
export function chime(ctx: AudioContext) {
  if (ctx.state === 'suspended') void ctx.resume()
  const now = ctx.currentTime
  const notes: [number, number][] = [
    [880, 0],
    [1318.5, 0.12],
  ]
  for (const [freq, at] of notes) {
    const osc = ctx.createOscillator()
    const gain = ctx.createGain()
    osc.type = 'sine'
    osc.frequency.value = freq
    gain.gain.setValueAtTime(0.0001, now + at)
    gain.gain.exponentialRampToValueAtTime(0.25, now + at + 0.02)
    gain.gain.exponentialRampToValueAtTime(0.0001, now + at + 0.35)
    osc.connect(gain).connect(ctx.destination)
    osc.start(now + at)
    osc.stop(now + at + 0.4)
  }
}

/** notify shows a browser notification when the page is in the background. */
export function notify(who: string, onClick: () => void) {
  if (!('Notification' in window) || Notification.permission !== 'granted' || !document.hidden) return
  try {
    const n = new Notification(t.newPendingTitle, { body: t.newPendingBody(who), tag: 'balcao-pending-' + who, icon: '/favicon.svg' })
    n.onclick = () => {
      window.focus()
      onClick()
      n.close()
    }
  } catch {
    // some browsers only allow notifications from a service worker; the sound still plays
  }
}

export function canAskNotifications(): boolean {
  return 'Notification' in window && Notification.permission === 'default'
}
