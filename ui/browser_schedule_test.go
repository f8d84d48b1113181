package ui_test

// Browser test of Listas de Transmissão and Agendamento. It runs on its own engine: the
// broadcast writes to the demo contacts, whose conversations other tests count.

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserListAndBroadcast: a list without members is refused with the field's message; a
// list of two companies is saved; a broadcast to it shows its progress live until 2/2.
func TestBrowserListAndBroadcast(t *testing.T) {
	base := server(t)
	p := newTab(t, base)
	p.login("admin")
	p.do("open Listas de Transmissão and save an empty list",
		chromedp.Click(chromedp.CSS(`a[data-nav=listas]`)),
		chromedp.WaitVisible(chromedp.CSS(`#list-form`)),
		fill(`#list-name`, "Clientes do Simples"),
		chromedp.Click(chromedp.CSS(`#list-save`)),
	)
	p.until("the members error", `[...document.querySelectorAll('#list-form small.error')].some(e => e.textContent.includes('ao menos um contato'))`)
	p.until("the companies listed", `document.querySelector('.list-company[value=tech-floripa]') !== null`)
	p.do("pick two companies and save",
		chromedp.Click(chromedp.CSS(`.list-company[value=tech-floripa]`)),
		chromedp.Click(chromedp.CSS(`.list-company[value=padaria-pao-quente]`)),
		chromedp.Click(chromedp.CSS(`#list-save`)),
	)
	p.until("the list saved", `(document.querySelector('#lists-table')?.textContent ?? '').includes('Clientes do Simples')`)

	p.do("open Agendamento", chromedp.Click(chromedp.CSS(`a[data-nav=agendamento]`)), chromedp.WaitVisible(chromedp.CSS(`#broadcast-form`)))
	p.until("the list offered", `[...document.querySelectorAll('#broadcast-list option')].some(o => o.textContent === 'Clientes do Simples')`)
	id := p.eval(`[...document.querySelectorAll('#broadcast-list option')].find(o => o.textContent === 'Clientes do Simples').value`)
	p.do("send without text", choose(`#broadcast-list`, id), chromedp.Click(chromedp.CSS(`#broadcast-send`)))
	p.until("the text error", `(document.querySelector('#broadcast-form small.error')?.textContent ?? '') !== ''`)
	p.do("broadcast", fill(`#broadcast-text`, "Olá, {cliente}! O escritório estará fechado na sexta."), chromedp.Click(chromedp.CSS(`#broadcast-send`)))
	p.until("the first message counted", `[...document.querySelectorAll('.send-row')].some(r => r.textContent.includes('1/2 enviadas'))`)
	p.until("both sent", `[...document.querySelectorAll('.send-row[data-done=true]')].some(r => r.textContent.includes('2/2 enviadas'))`)
	p.shot("agendamento")
	newAPI(t, base).waitOutbound("5548999990003", "Olá, João Pereira! O escritório estará fechado na sexta.")
}
