package balcao

import (
	"regexp"
	"strings"
	"time"
)

// CannedAnswer is a ready answer (Resposta Padrão) staff pick with "/" in the composer. Shared
// answers (no Owner) are kept by administrators and managers; personal ones by their owner.
// Text may hold the variables {cliente}, {empresa} and {atendente}, filled when it is picked.
type CannedAnswer struct {
	ID        string    `msgpack:"id" json:"id"`
	Shortcut  string    `msgpack:"shortcut" json:"shortcut"` // typed after "/"
	Text      string    `msgpack:"text" json:"text"`
	Owner     string    `msgpack:"owner,omitempty" json:"owner,omitempty"` // staff user, or "" when shared
	CreatedAt time.Time `msgpack:"created_at" json:"createdAt"`
}

var validShortcut = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,29}$`)

// Validate checks a canned answer's fields, adding a Portuguese message per wrong one.
func (c *CannedAnswer) Validate(fields map[string]string) {
	c.Shortcut = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(c.Shortcut), "/"))
	if !validShortcut.MatchString(c.Shortcut) {
		fields["shortcut"] = "Use de 1 a 30 letras minúsculas, números, - ou _."
	}
	if strings.TrimSpace(c.Text) == "" || len(c.Text) > 4096 {
		fields["text"] = "Escreva o texto da resposta (até 4096 caracteres)."
	}
}
