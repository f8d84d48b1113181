package actors

import (
	"strings"
	"time"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/assistant"
	"github.com/balcao/balcao/storage"
)

// The satisfaction survey: after a service by a person (when the office wants it) the client is
// asked for a 1–5 score; a reply that is a score, within 24 h, goes to the service record (and
// so to the dashboards). Any other reply closes the survey and is handled as usual.

// surveyAnswer returns the score a text gives to the open survey, or 0.
func (c *conversation) surveyAnswer(text string) int {
	if c.conv.Survey == "" || c.conv.State != balcao.StateAssistant {
		return 0
	}
	if c.sys.cfg.Now().After(c.conv.SurveyUntil) {
		c.conv.Survey = ""
		return 0
	}
	r := ParseRating(text)
	if r == 0 {
		c.conv.Survey = "" // the client moved on
	}
	return r
}

// recordRating stores the score on the service and thanks the client.
func (c *conversation) recordRating(t *turn, rating int) {
	var svc balcao.Service // the thanks name who served it ({atendente})
	key := storage.ServiceKey(c.office, c.conv.SurveyStart, c.conv.Survey)
	if err := c.sys.cfg.DB.Get(key, &svc); err == nil {
		svc.Rating = rating
		t.b.Put(key, &svc)
		// The day's stored figures, if any, are computed again with the score.
		t.b.Delete(storage.DayMetricsKey(c.office, svc.Start.In(assistant.Location()).Format(time.DateOnly)))
	} else {
		c.logger().Warn("survey for a service not found", "service", c.conv.Survey, "err", err)
	}
	c.conv.Survey = ""
	c.reply(t, balcao.AuthorSystem, c.officeText(balcao.MessageSurveyThanks, svc.Staff))
}

var ratingWords = map[string]int{
	"pessimo": 1, "horrivel": 1, "terrivel": 1, "ruim": 2, "regular": 3, "razoavel": 3,
	"bom": 4, "boa": 4, "otimo": 5, "otima": 5, "excelente": 5, "perfeito": 5,
}

// fillers may stand around a score without changing it.
var fillers = map[string]bool{
	"nota": true, "estrela": true, "estrelas": true, "muito": true, "foi": true, "o": true, "a": true,
	"atendimento": true, "e": true, "de": true, "minha": true, "dou": true, "obrigado": true, "obrigada": true,
}

// ParseRating reads a 1–5 score from a short reply made only of a score and fillers: "5",
// "nota 4", "4 estrelas", "ótimo", "muito bom" (5); 0 for anything else ("bom dia" is not a
// score, nor "holerite 5").
func ParseRating(text string) int {
	s := strings.ToLower(strings.TrimSpace(text))
	if len(s) == 0 || len(s) > 40 {
		return 0
	}
	s = strings.NewReplacer("é", "e", "ê", "e", "í", "i", "ó", "o", "ô", "o", "á", "a", "!", " ", ".", " ", ",", " ").Replace(s)
	score, very := 0, false
	for _, w := range strings.Fields(s) {
		r, isWord := ratingWords[w]
		switch {
		case len(w) == 1 && w[0] >= '1' && w[0] <= '5':
			r = int(w[0] - '0')
		case isWord:
		case w == "muito":
			very = true
			continue
		case fillers[w]:
			continue
		default:
			return 0
		}
		if score != 0 && score != r {
			return 0 // two different scores
		}
		score = r
	}
	switch {
	case very && score == 4:
		return 5 // muito bom
	case very && score == 2:
		return 1 // muito ruim
	}
	return score
}
