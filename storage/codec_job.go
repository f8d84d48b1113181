package storage

import (
	"github.com/vmihailenco/msgpack/v5"
	"github.com/vmihailenco/msgpack/v5/msgpcode"

	"github.com/balcao/balcao"
)

// Hand-written codecs for balcao.Job (with its JobEvent history), written four or more times
// per document request, and balcao.Transition, one per state change. Same rules as codec.go:
// the reflective encoder's bytes exactly, decoders by key.

// jobSize is the room a job's encoding usually needs, so that dst grows at most once.
func jobSize(j *balcao.Job) int {
	n := 256 + len(j.ID) + len(j.Company) + len(j.CNPJ) + len(j.Intent) + len(j.Competence) +
		len(j.Person) + len(j.Phone) + len(j.State) + len(j.Reason) + len(j.Hold)
	for _, d := range j.Documents {
		n += 5 + len(d)
	}
	for i := range j.History {
		n += 48 + len(j.History[i].State) + len(j.History[i].Note)
	}
	return n
}

func appendJob(b []byte, j *balcao.Job) []byte {
	b = appendMapLen(b, fieldCount(11, j.Competence != "", j.Person != "", j.Reason != "",
		j.Hold != "", j.Confirmed, len(j.Documents) > 0, j.ToldPend))
	b = appendStr(appendStr(b, "id"), j.ID)
	b = appendStr(appendStr(b, "company"), j.Company)
	b = appendStr(appendStr(b, "cnpj"), j.CNPJ)
	b = appendStr(appendStr(b, "intent"), j.Intent)
	b = appendOmitStr(b, "competence", j.Competence)
	b = appendOmitStr(b, "person", j.Person)
	b = appendStr(appendStr(b, "phone"), j.Phone)
	b = appendStr(appendStr(b, "state"), string(j.State))
	b = appendOmitStr(b, "reason", j.Reason)
	b = appendOmitStr(b, "hold", j.Hold)
	if j.Confirmed {
		b = appendBool(appendStr(b, "confirmed"), true)
	}
	b = appendInt64Compact(appendStr(b, "attempts"), int64(j.Attempts))
	if len(j.Documents) > 0 {
		b = appendArrayLen(appendStr(b, "documents"), len(j.Documents))
		for _, d := range j.Documents {
			b = appendStr(b, d)
		}
	}
	b = appendBool(appendStr(b, "delivered"), j.Delivered)
	if j.ToldPend {
		b = appendBool(appendStr(b, "told_pending"), true)
	}
	b = appendStr(b, "history")
	if j.History == nil {
		b = append(b, msgpcode.Nil)
	} else {
		b = appendArrayLen(b, len(j.History))
		for i := range j.History {
			e := &j.History[i]
			b = appendMapLen(b, fieldCount(2, e.Note != ""))
			b = appendStr(appendStr(b, "state"), string(e.State))
			b = appendOmitStr(b, "note", e.Note)
			b = appendTime(appendStr(b, "at"), e.At)
		}
	}
	b = appendTime(appendStr(b, "created_at"), j.CreatedAt)
	return appendTime(appendStr(b, "updated_at"), j.UpdatedAt)
}

func appendTransition(b []byte, t *balcao.Transition) []byte {
	b = appendMapLen(b, fieldCount(4, t.Staff != ""))
	b = appendStr(appendStr(b, "from"), string(t.From))
	b = appendStr(appendStr(b, "to"), string(t.To))
	b = appendOmitStr(b, "staff", t.Staff)
	b = appendStr(appendStr(b, "reason"), t.Reason)
	return appendTime(appendStr(b, "at"), t.At)
}

func decodeJob(d *msgpack.Decoder, keys *keyBufs, j *balcao.Job) error {
	kb := &keys[0]
	return decodeFields(d, kb, "job", nil, func(key []byte) (err error) {
		var s string
		switch string(key) {
		case "id":
			j.ID, err = d.DecodeString()
		case "company":
			j.Company, err = d.DecodeString()
		case "cnpj":
			j.CNPJ, err = d.DecodeString()
		case "intent":
			j.Intent, err = d.DecodeString()
		case "competence":
			j.Competence, err = d.DecodeString()
		case "person":
			j.Person, err = d.DecodeString()
		case "phone":
			j.Phone, err = d.DecodeString()
		case "state":
			s, err = d.DecodeString()
			j.State = balcao.JobState(s)
		case "reason":
			j.Reason, err = d.DecodeString()
		case "hold":
			j.Hold, err = d.DecodeString()
		case "confirmed":
			j.Confirmed, err = d.DecodeBool()
		case "attempts":
			j.Attempts, err = d.DecodeInt()
		case "documents":
			j.Documents, err = decodeStrings(d)
		case "delivered":
			j.Delivered, err = d.DecodeBool()
		case "told_pending":
			j.ToldPend, err = d.DecodeBool()
		case "history":
			j.History, err = decodeJobEvents(d, &keys[1])
		case "created_at":
			j.CreatedAt, err = decodeTime(d)
		case "updated_at":
			j.UpdatedAt, err = decodeTime(d)
		default:
			err = d.Skip()
		}
		return err
	})
}

func decodeJobEvents(d *msgpack.Decoder, kb *keyBuf) ([]balcao.JobEvent, error) {
	n, err := d.DecodeArrayLen()
	if err != nil || n < 0 {
		return nil, err // nil: no slice
	}
	out := make([]balcao.JobEvent, n)
	for i := range out {
		e := &out[i]
		if err := decodeFields(d, kb, "job event", nil, func(key []byte) (err error) {
			var s string
			switch string(key) {
			case "state":
				s, err = d.DecodeString()
				e.State = balcao.JobState(s)
			case "note":
				e.Note, err = d.DecodeString()
			case "at":
				e.At, err = decodeTime(d)
			default:
				err = d.Skip()
			}
			return err
		}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func decodeTransition(d *msgpack.Decoder, keys *keyBufs, t *balcao.Transition) error {
	kb := &keys[0]
	return decodeFields(d, kb, "transition", nil, func(key []byte) (err error) {
		var s string
		switch string(key) {
		case "from":
			s, err = d.DecodeString()
			t.From = balcao.State(s)
		case "to":
			s, err = d.DecodeString()
			t.To = balcao.State(s)
		case "staff":
			t.Staff, err = d.DecodeString()
		case "reason":
			t.Reason, err = d.DecodeString()
		case "at":
			t.At, err = decodeTime(d)
		default:
			err = d.Skip()
		}
		return err
	})
}
