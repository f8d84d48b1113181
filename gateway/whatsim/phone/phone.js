// The simulated phone: a person plays a client of the office. Messages go to /sim/inbound;
// what the office sends comes from /sim/outbound (polled each second).
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const chat = $("chat"), text = $("text"), from = $("from"), office = $("office"), preset = $("preset");
  let lastId = "", poller = null, mine = [];

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
    try {
      const r = await fetch("/sim/outbound?" + q);
      const body = await r.json();
      if (!r.ok) { showError(body.error ? body.error.message : "Erro " + r.status); return; }
      showError("");
      for (const m of body.messages) { bubble("out", m.text, m.at, m.document); lastId = m.id; }
    } catch (e) { showError("Sem conexão com o servidor."); }
  }

  function restart() {
    chat.replaceChildren(); lastId = ""; mine = [];
    $("office-name").textContent = "Escritório " + office.value;
    $("status").textContent = "você é +" + from.value;
    clearInterval(poller);
    poll(); poller = setInterval(poll, 1000);
  }

  async function send(ev) {
    ev.preventDefault();
    const body = text.value;
    if (!body.trim()) return;
    const r = await fetch("/sim/inbound", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ office: office.value, from: from.value, text: body }),
    }).catch(() => null);
    if (!r) { showError("Sem conexão com o servidor."); return; }
    const res = await r.json();
    if (!r.ok) { showError(res.error ? res.error.message : "Erro " + r.status); return; }
    showError(""); text.value = "";
    bubble("in", body, new Date().toISOString());
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
