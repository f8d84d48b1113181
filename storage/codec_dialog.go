package storage

import (
	"encoding"
	"fmt"
	"reflect"
	"sync/atomic"

	"github.com/vmihailenco/msgpack/v5"
)

// The assistant's dialog state (assistant.State, with its *assistant.Request draft) is encoded
// on every turn and decoded when a conversation starts. storage may not name it: its layer
// sees only the root package (ARCHITECTURE.md; imports_test.go fails on storage importing
// assistant), and assistant stays pure, knowing neither storage nor msgpack. So this codec goes
// by shape. The first time Encode or Decode meets a *assistant.State (by package path and
// name), it checks by reflection that the type is exactly the one described below: the same
// exported fields in the same order, with the same kinds and msgpack tags, and no method that
// would change what the reflective encoder writes (marshalers, IsZero). Only then does it read
// and write the fields, by index, through reflect (no unsafe, no allocation but the draft).
// A type that no longer matches is left to the reflective encoder, which is still correct,
// only slower; codec_test.go fails until the shape here is brought up to date.

const assistantPkg = "github.com/balcao/balcao/assistant"

// shapeField is one field a shape expects: its Go name, kind and msgpack tag.
type shapeField struct {
	name string
	kind reflect.Kind
	tag  string
}

// The fields of assistant.State, in order (their index is the position here).
var dialogStateShape = []shapeField{
	{"Awaiting", reflect.String, "awaiting,omitempty"},
	{"Draft", reflect.Pointer, "draft,omitempty"}, // *assistant.Request
	{"Misses", reflect.Int, "misses,omitempty"},
	{"Greeted", reflect.Bool, "greeted,omitempty"},
}

const (
	stAwaiting = iota
	stDraft
	stMisses
	stGreeted
)

// The fields of assistant.Request.
var dialogRequestShape = []shapeField{
	{"Intent", reflect.String, "intent"}, // assistant.Intent
	{"Competence", reflect.String, "competence,omitempty"},
	{"Person", reflect.String, "person,omitempty"},
	{"CompanyID", reflect.String, "company,omitempty"},
}

const (
	rqIntent = iota
	rqCompetence
	rqPerson
	rqCompany
)

// dialogType is the verdict on the *assistant.State type of this binary.
type dialogType struct {
	ptr     reflect.Type // *assistant.State
	request reflect.Type // assistant.Request, when ok
	ok      bool         // the shape matches: the codec may be used
	why     string       // why not, for the test
}

var dialogSeen atomic.Pointer[dialogType]

// dialogFor returns the checked dialog type when t is *assistant.State, else nil.
func dialogFor(t reflect.Type) *dialogType {
	if dt := dialogSeen.Load(); dt != nil && dt.ptr == t {
		return dt
	}
	if t == nil || t.Kind() != reflect.Pointer || t.Elem().Name() != "State" || t.Elem().PkgPath() != assistantPkg {
		return nil
	}
	dt := &dialogType{ptr: t}
	dt.request, dt.why = checkDialogShape(t.Elem())
	dt.ok = dt.why == ""
	dialogSeen.Store(dt)
	return dt
}

// dialogValue returns the assistant.State v points to, when the dialog codec applies to v.
func dialogValue(v any) (reflect.Value, *dialogType, bool) {
	dt := dialogFor(reflect.TypeOf(v))
	if dt == nil || !dt.ok {
		return reflect.Value{}, nil, false
	}
	p := reflect.ValueOf(v)
	if p.IsNil() {
		return reflect.Value{}, nil, false // the reflective encoder's nil
	}
	return p.Elem(), dt, true
}

// checkDialogShape returns the draft's type, or why st is not the State this codec knows.
func checkDialogShape(st reflect.Type) (reflect.Type, string) {
	if why := checkShape(st, dialogStateShape); why != "" {
		return nil, why
	}
	req := st.Field(stDraft).Type.Elem()
	if req.Name() != "Request" || req.PkgPath() != assistantPkg {
		return nil, fmt.Sprintf("State.Draft is a *%v, not an *assistant.Request", req)
	}
	if why := checkShape(req, dialogRequestShape); why != "" {
		return nil, why
	}
	return req, ""
}

// checkShape reports why the struct type t differs from want ("" when it does not).
func checkShape(t reflect.Type, want []shapeField) string {
	if t.Kind() != reflect.Struct {
		return fmt.Sprintf("%v is not a struct", t)
	}
	if !plainType(t) {
		return fmt.Sprintf("%v has a method the reflective encoder would use", t)
	}
	if t.NumField() != len(want) {
		return fmt.Sprintf("%v has %d fields, the codec knows %d", t, t.NumField(), len(want))
	}
	for i, w := range want {
		f := t.Field(i)
		switch {
		case f.Name != w.name || !f.IsExported() || f.Anonymous:
			return fmt.Sprintf("%v field %d is %s, the codec expects %s", t, i, f.Name, w.name)
		case f.Type.Kind() != w.kind:
			return fmt.Sprintf("%v.%s is a %v, the codec expects a %v", t, f.Name, f.Type, w.kind)
		case f.Tag.Get("msgpack") != w.tag:
			return fmt.Sprintf("%v.%s has msgpack tag %q, the codec expects %q", t, f.Name, f.Tag.Get("msgpack"), w.tag)
		case w.kind != reflect.Pointer && !plainType(f.Type):
			return fmt.Sprintf("%v.%s: %v has a method the reflective encoder would use", t, f.Name, f.Type)
		}
	}
	return ""
}

// Interfaces that make the reflective encoder or decoder depart from a type's kind (the
// marshalers), or change what omitempty leaves out (IsZero).
var codecInterfaces = []reflect.Type{
	reflect.TypeFor[msgpack.CustomEncoder](), reflect.TypeFor[msgpack.CustomDecoder](),
	reflect.TypeFor[msgpack.Marshaler](), reflect.TypeFor[msgpack.Unmarshaler](),
	reflect.TypeFor[encoding.BinaryMarshaler](), reflect.TypeFor[encoding.BinaryUnmarshaler](),
	reflect.TypeFor[encoding.TextMarshaler](), reflect.TypeFor[encoding.TextUnmarshaler](),
	reflect.TypeFor[interface{ IsZero() bool }](),
}

// plainType reports whether neither t nor *t implements one of codecInterfaces.
func plainType(t reflect.Type) bool {
	for _, u := range []reflect.Type{t, reflect.PointerTo(t)} {
		for _, i := range codecInterfaces {
			if u.Implements(i) {
				return false
			}
		}
	}
	return true
}

// dialogFields are the fields of an assistant.State (and of its draft), read once through
// reflect.
type dialogFields struct {
	awaiting                            string
	draft                               bool
	intent, competence, person, company string
	misses                              int64
	greeted                             bool
}

func readDialog(s reflect.Value) (f dialogFields) {
	f.awaiting = s.Field(stAwaiting).String()
	if d := s.Field(stDraft); !d.IsNil() {
		r := d.Elem()
		f.draft = true
		f.intent, f.competence = r.Field(rqIntent).String(), r.Field(rqCompetence).String()
		f.person, f.company = r.Field(rqPerson).String(), r.Field(rqCompany).String()
	}
	f.misses = s.Field(stMisses).Int()
	f.greeted = s.Field(stGreeted).Bool()
	return f
}

// size is the room the encoding usually needs.
func (f *dialogFields) size() int {
	return 96 + len(f.awaiting) + len(f.intent) + len(f.competence) + len(f.person) + len(f.company)
}

func appendDialog(b []byte, f *dialogFields) []byte {
	b = appendMapLen(b, fieldCount(0, f.awaiting != "", f.draft, f.misses != 0, f.greeted))
	b = appendOmitStr(b, "awaiting", f.awaiting)
	if f.draft {
		b = appendMapLen(appendStr(b, "draft"), fieldCount(1, f.competence != "", f.person != "", f.company != ""))
		b = appendStr(appendStr(b, "intent"), f.intent)
		b = appendOmitStr(b, "competence", f.competence)
		b = appendOmitStr(b, "person", f.person)
		b = appendOmitStr(b, "company", f.company)
	}
	if f.misses != 0 {
		b = appendInt64Compact(appendStr(b, "misses"), f.misses)
	}
	if f.greeted {
		b = appendBool(appendStr(b, "greeted"), true)
	}
	return b
}

// decodeDialog decodes into s, an addressable assistant.State.
func decodeDialog(d *msgpack.Decoder, keys *keyBufs, s reflect.Value, dt *dialogType) error {
	kb := &keys[0]
	return decodeFields(d, kb, "dialog", nil, func(key []byte) (err error) {
		switch string(key) {
		case "awaiting":
			err = decodeStringField(d, s.Field(stAwaiting))
		case "draft":
			err = decodeDraft(d, &keys[1], s.Field(stDraft), dt.request)
		case "misses":
			var n int64
			n, err = d.DecodeInt64()
			s.Field(stMisses).SetInt(n)
		case "greeted":
			var g bool
			g, err = d.DecodeBool()
			s.Field(stGreeted).SetBool(g)
		default:
			err = d.Skip()
		}
		return err
	})
}

// decodeDraft decodes a *assistant.Request (of type req) into the pointer field f.
func decodeDraft(d *msgpack.Decoder, kb *keyBuf, f reflect.Value, req reflect.Type) error {
	if isNil, err := skipNil(d); isNil || err != nil {
		if isNil {
			f.SetZero()
		}
		return err
	}
	p := reflect.New(req)
	r := p.Elem()
	if err := decodeFields(d, kb, "draft", nil, func(key []byte) (err error) {
		switch string(key) {
		case "intent":
			err = decodeStringField(d, r.Field(rqIntent))
		case "competence":
			err = decodeStringField(d, r.Field(rqCompetence))
		case "person":
			err = decodeStringField(d, r.Field(rqPerson))
		case "company":
			err = decodeStringField(d, r.Field(rqCompany))
		default:
			err = d.Skip()
		}
		return err
	}); err != nil {
		return err
	}
	f.Set(p)
	return nil
}

func decodeStringField(d *msgpack.Decoder, f reflect.Value) error {
	s, err := d.DecodeString()
	f.SetString(s)
	return err
}
