package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"go.mau.fi/whatsmeow"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		err  error
		want error
	}{
		{whatsmeow.ErrRecipientADJID, ErrPermanent},
		{fmt.Errorf("%w s.us", whatsmeow.ErrUnknownServer), ErrPermanent},
		{ErrNotOnWhatsApp, ErrPermanent},
		{ErrBrokenFile, ErrPermanent},
		{&whatsmeow.IQError{Code: 400, Text: "bad-request"}, ErrPermanent},
		{&whatsmeow.IQError{Code: 429, Text: "rate-overlimit"}, ErrTransient},
		{&whatsmeow.IQError{Code: 503}, ErrTransient},
		{whatsmeow.ErrNotConnected, ErrTransient},
		{whatsmeow.ErrNotLoggedIn, ErrTransient},
		{whatsmeow.ErrMessageTimedOut, ErrTransient},
		{whatsmeow.ErrIQTimedOut, ErrTransient},
		{&whatsmeow.DisconnectedError{Action: "info query"}, ErrTransient},
		{context.DeadlineExceeded, ErrTransient},
		{fmt.Errorf("%w 479", whatsmeow.ErrServerReturnedError), ErrTransient},
		{errors.New("something new"), ErrTransient},
	}
	for _, tt := range tests {
		got := classify(tt.err)
		if !errors.Is(got, tt.want) || !errors.Is(got, tt.err) {
			t.Errorf("classify(%v) = %v, want %v wrapping it", tt.err, got, tt.want)
		}
		if errors.Is(got, ErrTransient) && errors.Is(got, ErrPermanent) {
			t.Errorf("classify(%v) = %v: both classes", tt.err, got)
		}
		if again := classify(got); again.Error() != got.Error() {
			t.Errorf("classify twice = %v, want %v", again, got)
		}
	}
	if classify(nil) != nil {
		t.Error("classify(nil) != nil")
	}
}
