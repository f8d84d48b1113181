// The one store of the app: the session, the inbox, the open conversation and the live
// websocket that keeps them current. Every other module is stateless or keeps component-local
// state. Components read snapshots (replaced, never mutated) through useStore().
//
// Live updates: one websocket per tab at /ws?epoch=E&since=N. The first frame is a hello;
// then frames arrive in order of their sequence numbers, which skip the events of conversations
// this staff member may not see (the server filters them; a conversation that leaves their view
// comes as conversation.hidden). When the hello says resync, when the epoch changed (server
// restart), when the office's settings change (what one may see may have changed) or on the
// first connection, the store reloads the lists and the open conversation over REST, buffering
// frames that arrive meanwhile and applying them afterwards. A closed socket reconnects with exponential backoff
// and full jitter; a socket that fails before its hello checks /api/me, and a 401 brings back
// the login screen (drafts stay in sessionStorage).
import { ApiError, messageOf, request } from './api'
import { throttle } from './throttle'
import type { Company, Conversation, Frame, Hello, Me, Message, StaffMember, Tab } from './types'
import { TABS } from './types'

export type ConnState = 'connecting' | 'online' | 'offline'

export interface TabPage {
  next: string // cursor of the next page, '' when everything is loaded
  loaded: boolean
  loading: boolean
}

export interface OpenConversation {
  id: string
  messages: Message[]
  more: boolean
  loading: boolean
  loadingOlder: boolean
  error: string
}

export interface State {
  booted: boolean
  me: Me | null
  /** The session ended while working: show the login over the app, keep everything. */
  relogin: boolean
  conn: ConnState
  conversations: Record<string, Conversation>
  tabs: Record<Tab, TabPage>
  open: OpenConversation | null
  staff: Record<string, StaffMember>
  companies: Company[] | null
  listError: string
  /** Exact sizes of the pending and attending tabs from the server (up to COUNT_CAP). */
  counts: Partial<Record<Tab, number>> | null
}

type Listener = () => void
export type PendingListener = (c: Conversation) => void

const emptyTabs = (): Record<Tab, TabPage> => ({
  contatos: { next: '', loaded: false, loading: false },
  pendentes: { next: '', loaded: false, loading: false },
  atendimento: { next: '', loaded: false, loading: false },
})

const initial = (): State => ({
  booted: false,
  me: null,
  relogin: false,
  conn: 'offline',
  conversations: {},
  tabs: emptyTabs(),
  open: null,
  staff: {},
  companies: null,
  listError: '',
  counts: null,
})

const PAGE = 50
/** The server counts a tab's conversations up to this many. */
export const COUNT_CAP = 1000
const BACKOFF_BASE_MS = 500
const BACKOFF_MAX_MS = 15000
const DRAFT_PREFIX = 'balcao.draft.'

/** newer reports whether view b is at least as recent as view a. */
function newer(a: Conversation | undefined, b: Conversation): boolean {
  if (!a) return true
  if (b.lastSeq !== a.lastSeq) return b.lastSeq > a.lastSeq
  return new Date(b.stateSince).getTime() >= new Date(a.stateSince).getTime()
}

// statusRank orders delivery states as the server does: a status never goes back.
const statusRank: Record<string, number> = { queued: 0, failed: 1, sent: 2, delivered: 3, read: 4 }
const rank = (s?: string) => statusRank[s ?? ''] ?? -1

/** mergeMessages adds messages by id, oldest first; a copy with a later delivery state wins
 * (a POST's reply can arrive after the live status frame). */
function mergeMessages(list: Message[], add: Message[]): Message[] {
  const byId = new Map<number, Message>()
  for (const m of list) byId.set(m.id, m)
  for (const m of add) {
    const old = byId.get(m.id)
    byId.set(m.id, old && rank(old.status) > rank(m.status) ? { ...m, status: old.status } : m)
  }
  return [...byId.values()].sort((a, b) => a.id - b.id)
}

/** withStatuses moves messages' delivery states forward (never back) to those given by id. */
function withStatuses(messages: Message[], statuses: Map<number, string>): Message[] {
  if (statuses.size === 0) return messages
  return messages.map((m) => {
    const status = statuses.get(m.id)
    return status !== undefined && rank(status) > rank(m.status) ? { ...m, status } : m
  })
}

export class Store {
  private state: State = initial()
  private listeners = new Set<Listener>()
  private pendingListeners = new Set<PendingListener>()
  private frameListeners = new Set<(f: Frame) => void>()

  // Websocket bookkeeping.
  private ws: WebSocket | null = null
  private epoch = ''
  private seq = 0
  private synced = false
  private attempt = 0
  private retryTimer: ReturnType<typeof setTimeout> | undefined
  private syncing = false
  private syncAgain = false // a reload was asked for while one was on its way
  private buffered: Frame[] = []
  private generation = 0 // bumps on logout so stale callbacks are ignored
  // Delivery states received while a conversation's messages load: the page on its way may
  // predate them, so they are applied once it arrives.
  private loadStatuses: { id: string; statuses: Map<number, string> } | null = null

  // Tab counts: refetched at most once a second while conversations change.
  private refreshCounts = throttle(() => void this.loadCounts(), 1000)

  get(): State {
    return this.state
  }

  subscribe(fn: Listener): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  /** onPending is called when a conversation newly becomes pending (for the sound). */
  onPending(fn: PendingListener): () => void {
    this.pendingListeners.add(fn)
    return () => this.pendingListeners.delete(fn)
  }

  /** onLiveFrame is called with every live frame (screens outside the inbox reload on theirs). */
  onLiveFrame(fn: (f: Frame) => void): () => void {
    this.frameListeners.add(fn)
    return () => this.frameListeners.delete(fn)
  }

  private set(patch: Partial<State>) {
    this.state = { ...this.state, ...patch }
    for (const fn of this.listeners) fn()
  }

  // ---- REST through the store: a lost session brings back the login ----

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    try {
      return await request<T>(method, path, body)
    } catch (err) {
      if (err instanceof ApiError && err.unauthorized && this.state.me) this.sessionLost()
      throw err
    }
  }

  private sessionLost() {
    if (this.state.relogin) return
    this.closeSocket()
    this.set({ relogin: true, conn: 'offline' })
  }

  // ---- Session ----

  async boot() {
    try {
      const me = await request<Me>('GET', '/api/me')
      this.set({ me, booted: true })
      this.afterLogin()
    } catch {
      this.set({ booted: true })
    }
  }

  async login(office: string, user: string, password: string) {
    const me = await request<Me>('POST', '/api/login', { office, user, password })
    const prev = this.state.me
    const same = prev && prev.office === me.office && prev.user === me.user
    if (!same) {
      if (prev) this.clearDrafts() // someone else's drafts are not for this user
      this.reset()
    }
    this.set({ me, relogin: false, booted: true })
    this.afterLogin()
  }

  async logout() {
    try {
      await request('POST', '/api/logout')
    } catch {
      // the session may already be gone; the local state is cleared either way
    }
    this.clearDrafts()
    this.reset()
    this.set({ booted: true })
  }

  private reset() {
    this.generation++
    this.refreshCounts.cancel()
    this.closeSocket()
    this.epoch = ''
    this.seq = 0
    this.synced = false
    // A reload of the previous session that is still on its way ends ignored (its generation
    // is gone): it must not leave the new session's store syncing and buffering for good.
    this.syncing = false
    this.syncAgain = false
    this.buffered = []
    this.loadStatuses = null
    this.state = initial()
  }

  private afterLogin() {
    void this.loadStaff()
    this.connect()
  }

  // ---- Websocket ----

  private connect() {
    if (this.ws || !this.state.me || this.state.relogin) return
    clearTimeout(this.retryTimer)
    const gen = this.generation
    const proto = location.protocol === 'https:' ? 'wss' : 'ws'
    const q = this.epoch ? `?epoch=${encodeURIComponent(this.epoch)}&since=${this.seq}` : ''
    const ws = new WebSocket(`${proto}://${location.host}/ws${q}`)
    this.ws = ws
    let hello = false
    this.set({ conn: 'connecting' })
    ws.onmessage = (ev) => {
      if (gen !== this.generation || this.ws !== ws) return
      let f: any
      try {
        f = JSON.parse(String(ev.data))
      } catch {
        return
      }
      // Under load the server sends several events in one message, as a JSON array.
      for (const one of Array.isArray(f) ? f : [f]) {
        if (one.type === 'hello') {
          hello = true
          this.onHello(one as Hello)
        } else {
          this.onFrame(one as Frame)
        }
      }
    }
    ws.onclose = () => {
      if (this.ws !== ws) return
      this.ws = null
      if (gen !== this.generation || !this.state.me) return
      this.set({ conn: 'offline' })
      if (!hello) {
        // The handshake failed: maybe the session is gone (a 401 is invisible to WebSocket).
        void request('GET', '/api/me').then(
          () => this.scheduleReconnect(),
          (err) => {
            if (err instanceof ApiError && err.unauthorized) this.sessionLost()
            else this.scheduleReconnect()
          },
        )
        return
      }
      this.scheduleReconnect()
    }
  }

  private closeSocket() {
    clearTimeout(this.retryTimer)
    const ws = this.ws
    this.ws = null
    if (ws) {
      ws.onclose = null
      ws.onmessage = null
      ws.close()
    }
  }

  private scheduleReconnect() {
    clearTimeout(this.retryTimer)
    const cap = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** this.attempt)
    const delay = cap / 2 + Math.random() * (cap / 2) // "equal jitter": never zero, never in step
    this.attempt++
    this.retryTimer = setTimeout(() => this.connect(), delay)
  }

  /** reconnectNow skips the backoff (the browser came back online or the tab woke up). */
  reconnectNow() {
    if (this.ws || !this.state.me || this.state.relogin) return
    this.attempt = 0
    this.connect()
  }

  private onHello(h: Hello) {
    this.attempt = 0
    const epochChanged = this.epoch !== '' && this.epoch !== h.epoch
    this.epoch = h.epoch
    this.set({ conn: 'online' })
    if (h.resync || epochChanged || !this.synced) {
      this.seq = h.seq
      void this.resync()
    }
    // Otherwise the frames after our seq follow.
  }

  private onFrame(f: Frame) {
    if (f.seq <= this.seq) return // already seen
    this.seq = f.seq
    if (this.syncing) {
      this.buffered.push(f)
      return
    }
    this.apply(f)
  }

  private async resync() {
    if (this.syncing) {
      // The lists on their way may be older than events the server will not replay (a new
      // hello asked for a reload): load them again once these arrive.
      this.syncAgain = true
      return
    }
    this.syncing = true
    this.buffered = []
    const gen = this.generation
    try {
      do {
        this.syncAgain = false
        const pages = await Promise.all(
          TABS.map((tab) => this.call<{ conversations: Conversation[]; next: string }>('GET', `/api/conversations?tab=${tab}&limit=${PAGE}`)),
        )
        if (gen !== this.generation) return
        if (this.syncAgain) continue
        const conversations: Record<string, Conversation> = {}
        const tabs = emptyTabs()
        pages.forEach((p, i) => {
          for (const c of p.conversations) conversations[c.id] = c
          tabs[TABS[i]] = { next: p.next, loaded: true, loading: false }
        })
        this.set({ conversations, tabs, listError: '' })
        this.refreshCounts()
        const open = this.state.open
        if (open) await this.loadConversation(open.id, true)
        if (gen !== this.generation) return
      } while (this.syncAgain)
      this.synced = true
    } catch (err) {
      if (gen !== this.generation) return
      this.set({ listError: messageOf(err) })
      this.synced = false
    } finally {
      if (gen === this.generation) {
        this.syncing = false
        this.syncAgain = false
        const frames = this.buffered
        this.buffered = []
        for (const f of frames) this.apply(f)
      }
    }
  }

  private apply(f: Frame) {
    for (const fn of this.frameListeners) fn(f)
    switch (f.type) {
      case 'message.added': {
        const { conversation, message } = f.data as { conversation: string; message: Message }
        const open = this.state.open
        if (open && open.id === conversation) {
          this.set({ open: { ...open, messages: mergeMessages(open.messages, [message]) } })
        }
        break
      }
      case 'message.status': {
        const { conversation, id, status } = f.data as { conversation: string; id: number; status: string }
        const pending = this.loadStatuses
        if (pending?.id === conversation && rank(status) > rank(pending.statuses.get(id))) pending.statuses.set(id, status)
        const open = this.state.open
        if (open && open.id === conversation) {
          this.set({ open: { ...open, messages: withStatuses(open.messages, new Map([[id, status]])) } })
        }
        break
      }
      case 'conversation.hidden': {
        const { conversation } = f.data as { conversation: string }
        const { [conversation]: _gone, ...rest } = this.state.conversations
        this.set({ conversations: rest })
        this.refreshCounts()
        if (this.state.open?.id === conversation) void this.loadConversation(conversation, false) // shows why it is gone
        break
      }
      case 'settings.changed':
        if (this.synced) void this.resync()
        break
      case 'contacts.changed':
        // The companies' names that every screen shows: fetched again once some were.
        if ((f.data as { company?: string } | null)?.company && this.state.companies) void this.loadCompanies(true).catch(() => undefined)
        break
      case 'conversation.changed':
      case 'contact.linked': {
        const c = (f.data?.conversation ?? null) as Conversation | null
        if (c && typeof c === 'object' && c.id) this.putConversation(c, true)
        if (f.type === 'conversation.changed') this.refreshCounts()
        break
      }
    }
  }

  /** putConversation stores a view unless an older one; live=true may announce a new pending. */
  private putConversation(c: Conversation, live: boolean) {
    const prev = this.state.conversations[c.id]
    if (!newer(prev, c)) return
    this.set({ conversations: { ...this.state.conversations, [c.id]: c } })
    if (live && c.state === 'pending' && prev?.state !== 'pending') {
      for (const fn of this.pendingListeners) fn(c)
    }
  }

  // ---- Inbox ----

  private async loadCounts() {
    const gen = this.generation
    try {
      const c = await this.call<Partial<Record<Tab, number>>>('GET', '/api/conversations/counts')
      if (gen === this.generation) this.set({ counts: c })
    } catch {
      // the tabs fall back to the conversations loaded
    }
  }

  /** tabCount is what a tab's badge shows: the loaded list when it is complete (exact and
   * instant), otherwise the server's count; `more` when even that is capped. */
  tabCount(tab: Tab, loaded: number): { n: number; more: boolean } {
    const page = this.state.tabs[tab]
    if (!page.next) return { n: loaded, more: false }
    const c = this.state.counts?.[tab]
    if (c === undefined) return { n: loaded, more: true }
    return { n: Math.max(c, loaded), more: c >= COUNT_CAP }
  }

  async loadMore(tab: Tab) {
    const page = this.state.tabs[tab]
    if (!page.next || page.loading) return
    this.set({ tabs: { ...this.state.tabs, [tab]: { ...page, loading: true } } })
    // A page answered after Sair (and maybe someone else's login) belongs to the old session.
    const gen = this.generation
    try {
      const r = await this.call<{ conversations: Conversation[]; next: string }>(
        'GET',
        `/api/conversations?tab=${tab}&limit=${PAGE}&cursor=${encodeURIComponent(page.next)}`,
      )
      if (gen !== this.generation) return
      for (const c of r.conversations) this.putConversation(c, false)
      this.set({ tabs: { ...this.state.tabs, [tab]: { next: r.next, loaded: true, loading: false } } })
    } catch (err) {
      if (gen !== this.generation) return
      this.set({ tabs: { ...this.state.tabs, [tab]: { ...page, loading: false } }, listError: err instanceof ApiError ? err.message : '' })
    }
  }

  // ---- Conversation ----

  async openConversation(id: string | null) {
    if (!id) {
      if (this.state.open) this.set({ open: null })
      return
    }
    if (this.state.open?.id === id) return
    await this.loadConversation(id, false)
  }

  private async loadConversation(id: string, refresh: boolean) {
    const cur = this.state.open
    if (!refresh || !cur || cur.id !== id) {
      this.set({ open: { id, messages: [], more: false, loading: true, loadingOlder: false, error: '' } })
    }
    const statuses = { id, statuses: new Map<number, string>() }
    this.loadStatuses = statuses
    try {
      const [conv, page] = await Promise.all([
        this.call<{ conversation: Conversation }>('GET', `/api/conversations/${encodeURIComponent(id)}`),
        this.call<{ messages: Message[]; more: boolean }>('GET', `/api/conversations/${encodeURIComponent(id)}/messages?limit=${PAGE}`),
      ])
      if (this.state.open?.id !== id) return
      this.putConversation(conv.conversation, false)
      const open = this.state.open
      // Keep live messages that arrived meanwhile; a refresh replaces the rest.
      const live = refresh ? [] : open.messages
      const messages = withStatuses(mergeMessages(page.messages, live), statuses.statuses)
      this.set({ open: { ...open, messages, more: page.more, loading: false, error: '' } })
    } catch (err) {
      if (this.state.open?.id !== id) return
      this.set({ open: { ...this.state.open, loading: false, error: messageOf(err) } })
    } finally {
      if (this.loadStatuses === statuses) this.loadStatuses = null
    }
  }

  async loadOlder() {
    const open = this.state.open
    if (!open || !open.more || open.loadingOlder || open.messages.length === 0) return
    this.set({ open: { ...open, loadingOlder: true } })
    const before = open.messages[0].id
    try {
      const page = await this.call<{ messages: Message[]; more: boolean }>(
        'GET',
        `/api/conversations/${encodeURIComponent(open.id)}/messages?limit=${PAGE}&before=${before}`,
      )
      const cur = this.state.open
      if (cur?.id !== open.id) return
      this.set({ open: { ...cur, messages: mergeMessages(page.messages, cur.messages), more: page.more, loadingOlder: false } })
    } catch (err) {
      const cur = this.state.open
      if (cur?.id === open.id) this.set({ open: { ...cur, loadingOlder: false, error: err instanceof ApiError ? err.message : '' } })
    }
  }

  async start(id: string) {
    const r = await this.call<{ conversation: Conversation }>('POST', `/api/conversations/${encodeURIComponent(id)}/start`)
    this.putConversation(r.conversation, false)
  }

  async finish(id: string) {
    const r = await this.call<{ conversation: Conversation }>('POST', `/api/conversations/${encodeURIComponent(id)}/finish`)
    this.putConversation(r.conversation, false)
  }

  async send(id: string, text: string) {
    const r = await this.call<{ message: Message }>('POST', `/api/conversations/${encodeURIComponent(id)}/messages`, { text })
    const open = this.state.open
    if (open && open.id === id) this.set({ open: { ...open, messages: mergeMessages(open.messages, [r.message]) } })
  }

  /** Sends a file (with an optional caption) to the client of a conversation being attended. */
  async sendFile(id: string, file: File, caption: string) {
    const form = new FormData()
    form.append('file', file)
    form.append('caption', caption)
    const r = await this.call<{ message: Message }>('POST', `/api/conversations/${encodeURIComponent(id)}/attachments`, form)
    const open = this.state.open
    if (open && open.id === id) this.set({ open: { ...open, messages: mergeMessages(open.messages, [r.message]) } })
  }

  async link(phone: string, company: string, name: string) {
    const r = await this.call<{ conversation: Conversation }>('POST', `/api/contacts/${encodeURIComponent(phone)}/link`, { company, name })
    if (r.conversation?.id) this.putConversation(r.conversation, false)
  }

  // ---- Reference data ----

  // loadStaff and loadCompanies drop an answer that comes after Sair: it is the old
  // session's, and would replace what the next user's own load brought.

  async loadStaff() {
    const gen = this.generation
    try {
      const r = await this.call<{ staff: StaffMember[] }>('GET', '/api/staff')
      if (gen !== this.generation) return
      const staff: Record<string, StaffMember> = {}
      for (const s of r.staff) staff[s.user] = s
      this.set({ staff })
    } catch {
      // Names fall back to user ids (and to our own name from /api/me).
    }
  }

  async loadCompanies(force = false): Promise<Company[]> {
    if (this.state.companies && !force) return this.state.companies
    const gen = this.generation
    const r = await this.call<{ companies: Company[] }>('GET', '/api/companies')
    if (gen === this.generation) this.set({ companies: r.companies })
    return r.companies
  }

  /** staffName maps a staff user to a display name, falling back to the user id. */
  staffName(user: string): string {
    const s = this.state.staff[user]
    if (s) return s.name
    if (this.state.me?.user === user) return this.state.me.name
    return user
  }

  // ---- Drafts: per conversation, in sessionStorage, so a lost session loses nothing ----

  draft(id: string): string {
    try {
      return sessionStorage.getItem(DRAFT_PREFIX + id) ?? ''
    } catch {
      return ''
    }
  }

  setDraft(id: string, text: string) {
    try {
      if (text) sessionStorage.setItem(DRAFT_PREFIX + id, text)
      else sessionStorage.removeItem(DRAFT_PREFIX + id)
    } catch {
      // storage full or disabled: the draft lives in the composer only
    }
  }

  private clearDrafts() {
    try {
      for (let i = sessionStorage.length - 1; i >= 0; i--) {
        const k = sessionStorage.key(i)
        if (k?.startsWith(DRAFT_PREFIX)) sessionStorage.removeItem(k)
      }
    } catch {
      // nothing to clear
    }
  }
}

export const store = new Store()
