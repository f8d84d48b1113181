package balcao_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportArrows keeps the layers of ARCHITECTURE.md true: each package may import only the
// packages of this module listed for it.
func TestImportArrows(t *testing.T) {
	const mod = "github.com/balcao/balcao"
	allowed := map[string][]string{
		mod:                       {},
		mod + "/assistant":        {},
		mod + "/storage":          {mod},
		mod + "/gateway":          {mod},
		mod + "/gateway/whatsim":  {mod, mod + "/gateway"},
		mod + "/gateway/whatsapp": {mod, mod + "/gateway"},
		mod + "/gateway/agent":    {mod},
		mod + "/actors":           {mod, mod + "/assistant", mod + "/gateway", mod + "/gateway/agent", mod + "/storage"},
		mod + "/ui":               {mod},
	}
	for pkg, ok := range allowed {
		out, err := exec.Command("go", "list", "-deps", pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		for _, dep := range strings.Fields(string(out)) {
			if dep == pkg || (dep != mod && !strings.HasPrefix(dep, mod+"/")) {
				continue
			}
			found := false
			for _, a := range ok {
				found = found || a == dep
			}
			if !found {
				t.Errorf("%s imports %s, which its layer may not", pkg, dep)
			}
		}
	}
}
