package engine

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/balcao/balcao"
)

// SettingsDefaults returns what the office's preferences fall back to: the default texts of
// the editable messages (the greeting naming the office), their variables and the default
// departments.
func (e *Engine) SettingsDefaults(_ context.Context, office string) (balcao.SettingsDefaults, error) {
	o, err := e.db.Office(office)
	if err != nil {
		return balcao.SettingsDefaults{}, fmt.Errorf("load office %s: %w", office, err)
	}
	return balcao.SettingsDefaults{
		Messages:     balcao.DefaultMessages(o.Name),
		Variables:    slices.Clone(balcao.MessageVariables),
		KeyVariables: maps.Clone(balcao.KeyVariables),
		Departments:  balcao.DefaultDepartments(),
	}, nil
}
