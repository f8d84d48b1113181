package engine

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/assistant"
	"github.com/balcao/balcao/gateway/agent"
	"github.com/balcao/balcao/storage"
)

// Settings returns the office's preferences.
func (e *Engine) Settings(_ context.Context, office string) (balcao.Settings, error) {
	return e.db.Settings(office)
}

// SaveSettings validates and replaces the office's preferences; administrators only. Changes
// apply at once (jobs read them when they run) and are pushed to the staff.
func (e *Engine) SaveSettings(ctx context.Context, office string, by balcao.Staff, s balcao.Settings) (balcao.Settings, error) {
	if by.Role != balcao.RoleAdmin {
		return balcao.Settings{}, forbidden("Só administradores alteram as preferências.")
	}
	fields := map[string]string{}
	for intent, rule := range s.Rules {
		if !assistant.Intent(intent).IsDocument() {
			fields["rules."+intent] = "Tipo de documento desconhecido."
			continue
		}
		switch rule {
		case balcao.RuleAuto, balcao.RuleConfirm, balcao.RulePeriodClosed, balcao.RuleStaff:
		default:
			fields["rules."+intent] = "Regra inválida: escolha uma das regras da lista."
		}
	}
	balcao.ValidateHours(s.Hours, s.DaysOff, fields)
	s.Messages = balcao.ValidateMessages(s.Messages, fields) // never nil; empty texts dropped
	balcao.ValidateReminders(s.Reminders, fields)
	mu := e.teams.of(office) // the staff checked stay as they are until the settings are stored
	mu.Lock()
	defer mu.Unlock()
	if err := e.validateTeams(office, &s, fields); err != nil {
		return balcao.Settings{}, err
	}
	if len(fields) > 0 {
		return balcao.Settings{}, balcao.Invalid(fields)
	}
	if s.Hours == nil {
		s.Hours = balcao.DefaultHours()
	}
	if s.DaysOff == nil {
		s.DaysOff = []string{}
	}
	if s.Rules == nil {
		s.Rules = map[string]balcao.DocRule{}
	}
	if s.Portfolio == nil {
		s.Portfolio = []balcao.PortfolioEntry{}
	}
	if err := e.db.SaveSettings(ctx, office, s); err != nil {
		return balcao.Settings{}, err
	}
	e.hub.Publish(office, balcao.EventSettingsChanged, s)
	e.sched.poke() // reminders just enabled start now, not at the next hourly look
	return s, nil
}

// NewAgentToken makes a new token for the office's execution agents (the old one stops
// working) and returns it; only its hash is stored. Administrators only.
func (e *Engine) NewAgentToken(ctx context.Context, office string, by balcao.Staff) (string, error) {
	if by.Role != balcao.RoleAdmin {
		return "", forbidden("Só administradores geram o token do agente.")
	}
	var raw [24]byte
	_, _ = rand.Read(raw[:])
	token := office + "." + base64.RawURLEncoding.EncodeToString(raw[:])
	sum := sha256.Sum256([]byte(token))
	b := &storage.Batch{}
	b.Set(storage.AgentTokenKey(office), []byte(hex.EncodeToString(sum[:])))
	return token, e.db.Writer.Commit(ctx, b)
}

// verifyAgentToken returns the office of a valid agent token ("office.secret").
func (e *Engine) verifyAgentToken(_ context.Context, token string) (string, error) {
	office, _, ok := strings.Cut(token, ".")
	if !ok || len(token) > 256 || strings.Contains(office, "/") {
		return "", agent.ErrInvalidToken
	}
	stored, err := e.db.Value(storage.AgentTokenKey(office))
	if errors.Is(err, balcao.ErrNotFound) {
		return "", agent.ErrInvalidToken
	}
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(token))
	if subtle.ConstantTimeCompare(stored, []byte(hex.EncodeToString(sum[:]))) != 1 {
		return "", agent.ErrInvalidToken
	}
	return office, nil
}
