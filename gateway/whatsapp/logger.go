package whatsapp

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"

	waLog "go.mau.fi/whatsmeow/util/log"

	"github.com/balcao/balcao"
)

// waLogger hands whatsmeow's warnings and errors to slog, with phone numbers masked. Its debug
// and info lines are dropped: they name every contact and message.
type waLogger struct {
	log    *slog.Logger
	module string
}

var _ waLog.Logger = waLogger{}

func (l waLogger) Errorf(msg string, args ...any) { l.emit(slog.LevelError, msg, args) }
func (l waLogger) Warnf(msg string, args ...any)  { l.emit(slog.LevelWarn, msg, args) }
func (l waLogger) Infof(string, ...any)           {}
func (l waLogger) Debugf(string, ...any)          {}

func (l waLogger) Sub(module string) waLog.Logger {
	if l.module != "" {
		module = l.module + "/" + module
	}
	return waLogger{log: l.log, module: module}
}

func (l waLogger) emit(level slog.Level, msg string, args []any) {
	if !l.log.Enabled(context.Background(), level) {
		return
	}
	l.log.Log(context.Background(), level, "whatsmeow", "module", l.module, "detail", maskDigits(fmt.Sprintf(msg, args...)))
}

// longDigits matches runs of digits long enough to be a phone number or a LID.
var longDigits = regexp.MustCompile(`\d{8,}`)

// maskDigits hides the middle of every long run of digits, as balcao.MaskPhone does.
func maskDigits(s string) string {
	return longDigits.ReplaceAllStringFunc(s, balcao.MaskPhone)
}
