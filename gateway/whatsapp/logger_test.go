package whatsapp

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

func TestMaskDigits(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Error decrypting message 3EB0AB from 5548999990001@s.whatsapp.net", "Error decrypting message 3EB0AB from 5548*****0001@s.whatsapp.net"},
		{"lid 123456789012345:4@lid", "lid 1234*******2345:4@lid"},
		{"retry 3 of 5, code 479", "retry 3 of 5, code 479"},
	}
	for _, tt := range tests {
		if got := maskDigits(tt.in); got != tt.want {
			t.Errorf("maskDigits(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestWaLogger(t *testing.T) {
	var buf bytes.Buffer
	l := waLogger{log: slog.New(slog.NewTextHandler(&buf, nil))}.Sub("Client").Sub("Recv")
	l.Debugf("message from %s", "5548999990001")
	l.Infof("message from %s", "5548999990001")
	l.Warnf("failed for %s", "5548999990001@s.whatsapp.net")
	out := buf.String()
	if strings.Count(out, "\n") != 1 {
		t.Fatalf("logged %q, want only the warning", out)
	}
	for _, want := range []string{"level=WARN", "msg=whatsmeow", "module=Client/Recv", "5548*****0001"} {
		if !strings.Contains(out, want) {
			t.Errorf("log line %q lacks %q", out, want)
		}
	}
	if strings.Contains(out, "5548999990001") {
		t.Errorf("log line %q shows the phone", out)
	}
}
