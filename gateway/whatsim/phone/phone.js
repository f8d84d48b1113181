// The simulated phone: a person plays a client of the office. Messages go to /sim/inbound;
// what the office sends comes from /sim/outbound (polled each second). Like a real phone, the
// page keeps what its person sent (sessionStorage, per office and number): the server lists
// only what the office sent, and a reload would otherwise show the replies alone.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const chat = $("chat"), text = $("text"), from = $("from"), office = $("office"), preset = $("preset");
  let lastId = "", poller = null, mine = [], first = true;
  let chatNo = 0; // which chat is shown: an answer for an earlier office or number is dropped
  let polling = -1; // the chat whose poll is out
  const sentKey = () => "sim-sent:" + office.value + ":" + from.value;

  function loadSent() {
    try { return JSON.parse(sessionStorage.getItem(sentKey())) || []; } catch (e) { return []; }
  }

  function keepSent(m) {
    mine.push(m);
    try { sessionStorage.setItem(sentKey(), JSON.stringify(mine.slice(-500))); } catch (e) { /* full: shown, not kept */ }
  }

  function bubble(dir, body, at, doc) {
    const div = document.createElement("div");
    div.className = "msg " + dir;
    div.textContent = body;
    if (doc) {
      const a = document.createElement("a");
      a.href = doc.url; a.textContent = "📄 " + doc.name; a.target = "_blank"; a.rel = "noopener";
      div.appendChild(document.createElement("br")); div.appendChild(a);
    }
    const t = document.createElement("time");
    t.textContent = new Date(at).toLocaleTimeString("pt-BR", { hour: "2-digit", minute: "2-digit" });
    div.appendChild(t);
    chat.appendChild(div);
    chat.scrollTop = chat.scrollHeight;
  }

  function showError(msg) {
    const e = $("error");
    e.textContent = msg || ""; e.hidden = !msg;
  }

  async function poll() {
    const q = new URLSearchParams({ office: office.value, to: from.value, after: lastId });
    const no = chatNo;
    if (polling === no) return; // the last poll of this chat is still out: its answer comes first
    polling = no;
    try {
      const r = await fetch("/sim/outbound?" + q);
      const body = await r.json();
      if (no !== chatNo) return;
      if (!r.ok) { showError(body.error ? body.error.message : "Erro " + r.status); return; }
      showError("");
      const got = body.messages.map((m) => ({ dir: "out", text: m.text, at: m.at, doc: m.document }));
      if (body.messages.length) lastId = body.messages[body.messages.length - 1].id;
      if (first) {
        // The first answer has everything the office sent: put what this phone sent among it.
        first = false;
        chat.replaceChildren();
        got.push(...mine.map((m) => ({ dir: "in", text: m.text, at: m.at })));
        got.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
      }
      for (const m of got) bubble(m.dir, m.text, m.at, m.doc);
    } catch (e) { if (no === chatNo) showError("Sem conexão com o servidor."); }
    finally { if (polling === no) polling = -1; }
  }

  function restart() {
    chat.replaceChildren(); lastId = ""; mine = loadSent(); first = true; chatNo++;
    $("office-name").textContent = "Escritório " + office.value;
    $("status").textContent = "você é +" + from.value;
    clearInterval(poller);
    poll(); poller = setInterval(poll, 1000);
  }

  async function send(ev) {
    ev.preventDefault();
    const body = text.value;
    if (!body.trim()) return;
    const at = new Date().toISOString(); // before the office's reply, which the POST may outrun
    const r = await fetch("/sim/inbound", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ office: office.value, from: from.value, text: body }),
    }).catch(() => null);
    if (!r) { showError("Sem conexão com o servidor."); return; }
    const res = await r.json();
    if (!r.ok) { showError(res.error ? res.error.message : "Erro " + r.status); return; }
    showError(""); text.value = "";
    keepSent({ text: body, at });
    if (!first) bubble("in", body, at); // else the first poll shows it among the replies
  }

  preset.addEventListener("change", () => { if (preset.value) { from.value = preset.value; restart(); } else { from.focus(); } });
  from.addEventListener("change", restart);
  office.addEventListener("change", restart);
  $("setup").addEventListener("submit", (e) => { e.preventDefault(); restart(); });
  $("composer").addEventListener("submit", send);
  text.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); $("composer").requestSubmit(); }
  });
  restart();
})();
