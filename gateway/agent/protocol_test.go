package agent

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"testing"
)

func TestAgentParseFrame(t *testing.T) {
	sha := hex.EncodeToString(make([]byte, 32))
	cases := []struct {
		name, in string
		ok       bool
	}{
		{"hello", `{"type":"hello","name":"escritorio","version":"1.0","protocol":1,"concurrency":4}`, true},
		{"hello without protocol", `{"type":"hello","name":"x"}`, false},
		{"hello concurrency too high", `{"type":"hello","protocol":1,"concurrency":33}`, false},
		{"welcome", `{"type":"welcome","office":"demo","heartbeat_ms":15000}`, true},
		{"job", `{"type":"job","job":"j1","cnpj":"12345678000190","intent":"das","competence":"2026-10"}`, true},
		{"job without cnpj", `{"type":"job","job":"j1","intent":"das"}`, false},
		{"cancel", `{"type":"cancel","job":"j1"}`, true},
		{"pending", `{"type":"result","job":"j1","pending":"Folha de 10/2026 ainda não calculada."}`, true},
		{"files", `{"type":"result","job":"j1","files":[{"name":"a.pdf","size":10,"sha256":"` + sha + `"}]}`, true},
		{"unknown field ignored", `{"type":"cancel","job":"j1","extra":true}`, true},
		{"result without anything", `{"type":"result","job":"j1"}`, false},
		{"result with both", `{"type":"result","job":"j1","pending":"x","files":[{"name":"a.pdf","size":10,"sha256":"` + sha + `"}]}`, false},
		{"file in a directory", `{"type":"result","job":"j1","files":[{"name":"../a.pdf","size":10,"sha256":"` + sha + `"}]}`, false},
		{"file of size zero", `{"type":"result","job":"j1","files":[{"name":"a.pdf","size":0,"sha256":"` + sha + `"}]}`, false},
		{"uppercase sha", `{"type":"result","job":"j1","files":[{"name":"a.pdf","size":1,"sha256":"` + strings64("AB") + `"}]}`, false},
		{"error", `{"type":"error","job":"j1","message":"falhou"}`, true},
		{"error without job", `{"type":"error","message":"falhou"}`, false},
		{"control character in job", `{"type":"cancel","job":"j\u0000"}`, false},
		{"unknown type", `{"type":"exec","job":"j1"}`, false},
		{"not json", `hello`, false},
		{"array", `[1,2]`, false},
	}
	for _, c := range cases {
		_, err := parseFrame([]byte(c.in))
		if (err == nil) != c.ok {
			t.Errorf("%s: parseFrame(%q) = %v, want ok=%v", c.name, c.in, err, c.ok)
		}
		if err != nil && !errors.Is(err, errProtocol) {
			t.Errorf("%s: parseFrame(%q) = %v, want errProtocol", c.name, c.in, err)
		}
	}
}

func strings64(pair string) string {
	return string(bytes.Repeat([]byte(pair), 32))
}

func TestAgentTransferLimits(t *testing.T) {
	cases := []struct {
		name  string
		files []fileHeader
		file  string // the file named too large, "" for the whole result
	}{
		{"200 MB file", []fileHeader{{Name: "a.pdf", Size: 200 << 20}}, "a.pdf"},
		{"just over 20 MB", []fileHeader{{Name: "ok.pdf", Size: 10}, {Name: "b.pdf", Size: MaxFileSize + 1}}, "b.pdf"},
		{"too many files", make([]fileHeader, MaxFiles+1), ""},
		{"too much in total", []fileHeader{{Name: "a.pdf", Size: MaxFileSize}, {Name: "b.pdf", Size: MaxFileSize}, {Name: "c.pdf", Size: MaxFileSize}, {Name: "d.pdf", Size: MaxFileSize}, {Name: "e.pdf", Size: MaxFileSize}, {Name: "f.pdf", Size: 1}}, ""},
	}
	for _, c := range cases {
		_, err := newTransfer("j1", c.files, true)
		var tl *tooLargeError
		if !errors.As(err, &tl) || tl.name != c.file {
			t.Errorf("%s: newTransfer = %v, want too large (%q)", c.name, err, c.file)
		}
	}
	if _, err := newTransfer("j1", []fileHeader{{Name: "a.pdf", Size: MaxFileSize}}, true); err != nil {
		t.Errorf("newTransfer(exactly 20 MB) = %v, want ok", err)
	}
}

// FuzzParseFrame feeds each input to the server's frame parser whole and in two halves, and
// as the bytes of a file received in one chunk and in two.
func FuzzParseFrame(f *testing.F) {
	// Seeds are in testdata/fuzz/FuzzParseFrame.
	f.Fuzz(func(t *testing.T, data []byte) {
		checkParse(t, data)
		half := len(data) / 2
		checkParse(t, data[:half])
		checkParse(t, data[half:])

		if len(data) == 0 || len(data) > ChunkSize {
			return
		}
		files := []fileHeader{header("a.pdf", data)}
		whole, err := newTransfer("j", files, true)
		if err != nil {
			t.Fatal(err)
		}
		if done, err := whole.write(data); !done || err != nil {
			t.Fatalf("write(whole) = %v, %v; want done", done, err)
		}
		if half > 0 {
			split, _ := newTransfer("j", files, true)
			if done, err := split.write(data[:half]); done || err != nil {
				t.Fatalf("write(first half) = %v, %v; want not done", done, err)
			}
			if done, err := split.write(data[half:]); !done || err != nil {
				t.Fatalf("write(second half) = %v, %v; want done", done, err)
			}
			if !bytes.Equal(split.out[0].Data, whole.out[0].Data) || len(split.errs)+len(whole.errs) != 0 {
				t.Fatalf("halves assembled %q, whole %q", split.out[0].Data, whole.out[0].Data)
			}
			if _, err := split.write(data[:1]); err == nil {
				t.Fatal("a chunk past the last file was accepted")
			}
		}
		r1, err1 := whole.result()
		if err1 != nil || (CheckPDF(data) == nil) != (len(r1.Files) == 1) {
			t.Fatalf("result() = %d files, pending %q, %v", len(r1.Files), r1.Pending, err1)
		}
	})
}

// checkParse parses data and, when it is a valid frame, checks that it survives a round trip.
func checkParse(t *testing.T, data []byte) {
	f, err := parseFrame(data)
	if err != nil {
		if !errors.Is(err, errProtocol) {
			t.Fatalf("parseFrame(%q) = %v, want errProtocol", data, err)
		}
		return
	}
	enc, err := json.Marshal(f)
	if err != nil {
		t.Fatalf("marshal %+v: %v", f, err)
	}
	g, err := parseFrame(enc)
	if err != nil {
		t.Fatalf("parseFrame(marshal(parseFrame(%q))) = %v", data, err)
	}
	if enc2, _ := json.Marshal(g); !bytes.Equal(enc, enc2) {
		t.Fatalf("round trip of %q: %s != %s", data, enc, enc2)
	}
	if f.Type == frameResult {
		for _, h := range f.Files {
			if !validFileName(h.Name) || h.Size < 1 {
				t.Fatalf("parseFrame(%q) accepted file %+v", data, h)
			}
		}
	}
}
