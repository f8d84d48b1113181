package storage

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/balcao/balcao"
)

// benchConv is a conversation record as a turn writes it.
func benchConv(phone string, at time.Time) *balcao.Conversation {
	return &balcao.Conversation{
		ID: phone, State: balcao.StateAssistant, Linked: true, ContactName: "Cliente " + phone,
		Companies: []balcao.CompanyRef{{ID: "padaria", Name: "Padaria Pão Quente Ltda", CNPJ: "12345678000199"}},
		LastSeq:   7, Transitions: 2, Unread: 1, LastAt: at, Preview: "Olá! Como posso ajudar?",
		StateSince: at, Dialog: []byte{1, 2, 3, 4}, Services: 1, CreatedAt: at,
		Service: &balcao.Service{ID: phone + "-1", Phone: phone, ContactName: "Cliente", Start: at, ReplyMicros: []int64{1200}},
	}
}

// turnBatch fills b with the changes of one answered inbound message, as the conversation
// actor writes them (actors/conversation_turn.go): the inbound message and its WhatsApp id,
// the reply with its outbox entry and id, a transition, the contacts index move and the
// conversation record (9 changes).
func turnBatch(b *Batch, office, phone string, seq uint64, at time.Time) {
	in := balcao.Message{Seq: seq, Direction: balcao.Inbound, Author: balcao.AuthorClient, Text: "me manda o holerite de outubro", WAID: "B" + phone, At: at}
	b.Put(MessageKey(office, phone, seq), &in)
	b.Set(WhatsAppIDKey(office, phone, in.WAID), []byte{0, 0, 0, 0, 0, 0, 0, byte(seq)})
	out := balcao.Message{Seq: seq + 1, Direction: balcao.Outbound, Author: balcao.AuthorAssistant, Text: "Olá! Como posso ajudar?", WAID: "3EB0" + phone, Status: balcao.StatusQueued, At: at}
	b.Set(OutboxKey(office, phone, out.Seq), nil)
	b.Set(WhatsAppIDKey(office, phone, out.WAID), []byte{0, 0, 0, 0, 0, 0, 0, byte(seq + 1)})
	b.Put(MessageKey(office, phone, out.Seq), &out)
	b.Put(TransitionKey(office, phone, seq), &balcao.Transition{From: balcao.StateAssistant, To: balcao.StatePending, Reason: "asked_person", At: at})
	b.Delete(IndexKey(office, balcao.TabContacts, at.Add(-time.Second), phone))
	b.Set(IndexKey(office, balcao.TabContacts, at, phone), nil)
	b.Put(ConversationKey(office, phone), benchConv(phone, at))
}

// BenchmarkBatchTurn builds one turn's batch and releases it as the writer does once applied:
// the allocations a turn makes in storage (keys, records, the change list), besides the
// records' own construction here.
func BenchmarkBatchTurn(b *testing.B) {
	at := time.Unix(1_764_000_000, 123456789)
	db, err := Open(b.TempDir(), slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	b.ReportAllocs()
	var seq uint64
	for b.Loop() {
		seq += 2
		bt := &Batch{}
		turnBatch(bt, "escritorio-contabil", "5548999990001", seq, at)
		if bt.Len() != 9 {
			b.Fatal(bt.Len())
		}
		bt.release()
	}
}

// BenchmarkWriterSubmit: concurrent submitters (conversation actors), each with one turn in
// flight at a time, as in the engine; reports batches per Pebble commit and the p99 from
// Submit to callback.
func BenchmarkWriterSubmit(b *testing.B) {
	for _, n := range []int{1, 64, 512} {
		b.Run(fmt.Sprintf("submitters=%d", n), func(b *testing.B) {
			db, err := Open(b.TempDir(), slog.New(slog.DiscardHandler))
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			at := time.Unix(1_764_000_000, 0)
			var next atomic.Int64
			total := int64(b.N)
			lat := make([][]time.Duration, n)
			before, cpu := db.Writer.Stats(), cpuTime()
			b.ReportAllocs()
			b.ResetTimer()
			var wg sync.WaitGroup
			for s := range n {
				wg.Go(func() {
					phone := fmt.Sprintf("55489%08d", s)
					done := make(chan struct{}, 1)
					for {
						i := next.Add(1)
						if i > total {
							return
						}
						bt := &Batch{}
						turnBatch(bt, "escritorio-contabil", phone, uint64(2*i), at)
						start := time.Now()
						if err := db.Writer.Submit(bt, func(err error) {
							if err != nil {
								b.Error(err)
							}
							done <- struct{}{}
						}); err != nil {
							b.Error(err)
							return
						}
						<-done
						lat[s] = append(lat[s], time.Since(start))
					}
				})
			}
			wg.Wait()
			b.StopTimer()
			b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/float64(b.N), "cpu-us/op")
			st := db.Writer.Stats().Sub(before)
			if st.Commits > 0 {
				b.ReportMetric(float64(st.Batches)/float64(st.Commits), "batches/commit")
			}
			all := slices.Concat(lat...)
			slices.Sort(all)
			if len(all) > 0 {
				b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
			}
		})
	}
}

// cpuTime is the process's CPU time (user and system) so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkRead: point reads against a database holding 20 000 conversations (in the
// memtable, as in a running engine): a conversation record (hit), a WhatsApp id that is there
// and one that is not (the redelivery check).
func BenchmarkRead(b *testing.B) {
	db, err := Open(b.TempDir(), slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	at := time.Unix(1_764_000_000, 0)
	const phones = 20000
	for i := 0; i < phones; i += 500 {
		bt := &Batch{}
		for p := i; p < i+500; p++ {
			turnBatch(bt, "escritorio-contabil", fmt.Sprintf("55489%08d", p), 2, at)
		}
		if err := db.Writer.Commit(context.Background(), bt); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("get", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			i++
			if _, err := db.Conversation("escritorio-contabil", fmt.Sprintf("55489%08d", i%phones)); err != nil {
				b.Fatal(err)
			}
		}
	})
	// has looks up a WhatsApp id of every phone, suffixed by prefix; each is there or not.
	has := func(prefix string, there bool) func(b *testing.B) {
		keys := make([][]byte, phones)
		for i := range keys {
			p := fmt.Sprintf("55489%08d", i)
			keys[i] = WhatsAppIDKey("escritorio-contabil", p, prefix+p)
		}
		return func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				if ok, err := db.Has(keys[i%phones]); err != nil || ok != there {
					b.Fatal(ok, err)
				}
			}
		}
	}
	b.Run("has-hit", has("B", true))
	b.Run("has-miss", has("Bnew", false))
}
