package engine_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
)

// TestHistoryComesInPages: a conversation's messages come newest page first, 50 unless asked
// (at most 200), each page oldest first with more set while older ones remain, and before= pages
// back to the first without a gap or a repeat; the conversation lists page with their cursor.
func TestHistoryComesInPages(t *testing.T) {
	e := startEngine(t)
	ana := newClient(t, e)
	ana.login("demo", "ana")
	const phone, sent = "5511987650000", 60 // not a contact: pending, the assistant stays quiet
	for i := range sent {
		if status, body := ana.inbound("demo", phone, fmt.Sprint("mensagem ", i), ""); status != http.StatusAccepted {
			t.Fatalf("inbound %d: %d %s", i, status, body)
		}
	}
	page := func(query string) msgList {
		t.Helper()
		status, body := ana.do("GET", "/api/conversations/"+phone+"/messages"+query, nil)
		if status != 200 {
			t.Fatalf("messages%s = %d %s", query, status, body)
		}
		return decode[msgList](t, body)
	}
	var all []uint64
	first := page("")
	if len(first.Messages) != 50 || !first.More {
		t.Fatalf("first page: %d messages, more %v; want the newest 50 and more", len(first.Messages), first.More)
	}
	for p, query := first, ""; ; {
		var ids []uint64
		for _, m := range p.Messages {
			ids = append(ids, m.ID)
		}
		for i := 1; i < len(ids); i++ {
			if ids[i] != ids[i-1]+1 {
				t.Fatalf("page%s ids %v: want oldest first, consecutive", query, ids)
			}
		}
		if len(all) > 0 && len(ids) > 0 && ids[len(ids)-1]+1 != all[0] {
			t.Fatalf("page%s ends at %d, the next page begins at %d", query, ids[len(ids)-1], all[0])
		}
		all = append(ids, all...)
		if !p.More {
			break
		}
		query = fmt.Sprintf("?before=%d&limit=7", ids[0])
		p = page(query)
	}
	var in int
	_, body := ana.do("GET", "/api/conversations/"+phone+"/messages?limit=200", nil)
	whole := decode[msgList](t, body)
	for _, m := range whole.Messages {
		if m.Direction == "in" {
			in++
		}
	}
	if whole.More || len(whole.Messages) != len(all) || all[0] != 1 || in != sent {
		t.Fatalf("pages hold %d messages from %d; the whole history is %d messages (%d from the phone, want %d)", len(all), all[0], len(whole.Messages), in, sent)
	}
	if status, _ := ana.do("GET", "/api/conversations/"+phone+"/messages?limit=201", nil); status != http.StatusBadRequest {
		t.Fatalf("limit=201 = %d, want 400", status)
	}

	for _, p := range []string{"5511987650001", "5511987650002"} {
		if status, body := ana.inbound("demo", p, "oi", ""); status != http.StatusAccepted {
			t.Fatalf("inbound: %d %s", status, body)
		}
	}
	seen := map[string]int{}
	pages := 0
	for cursor := ""; ; pages++ {
		_, body := ana.do("GET", "/api/conversations?tab=pendentes&limit=2&cursor="+url.QueryEscape(cursor), nil)
		list := decode[convList](t, body)
		if len(list.Conversations) > 2 {
			t.Fatalf("a page of limit 2 holds %d conversations", len(list.Conversations))
		}
		for _, c := range list.Conversations {
			seen[c.ID]++
		}
		if list.Next == "" {
			break
		}
		cursor = list.Next
	}
	if len(seen) != 3 || pages < 1 {
		t.Fatalf("pendentes in pages of 2 = %v over %d pages, want the three phones once each", seen, pages+1)
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("%s listed %d times", id, n)
		}
	}
}
