package balcao

import (
	"errors"
	"testing"
)

func TestNormalizePhone(t *testing.T) {
	cases := []struct {
		name, in, want string
		ok             bool
	}{
		{"e164", "5548999990001", "5548999990001", true},
		{"plus and punctuation", "+55 (48) 99999-0001", "5548999990001", true},
		{"without ninth digit", "55 48 9999-0001", "5548999990001", true},
		{"without country code", "(48) 99999-0001", "5548999990001", true},
		{"without country code nor ninth digit", "48 9999-0001", "5548999990001", true},
		{"landline", "55 48 3222-1234", "554832221234", true},
		{"landline without country", "4832221234", "554832221234", true},
		{"foreign", "+1 415 555 2671", "14155552671", true},
		{"portugal", "+351 912 345 678", "351912345678", true},
		{"letters", "5548abc", "", false},
		{"too short", "123", "", false},
		{"too long", "1234567890123456", "", false},
		{"empty", "", "", false},
		{"br too long", "55489999900011", "", false},
		{"area code zero", "5508999990001", "", false},
		{"br subscriber starts with 1", "554812345678", "", false},
		{"plus in the middle", "55+48999990001", "", false},
		{"leading zero", "048999990001", "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := NormalizePhone(tc.in)
			if tc.ok && (err != nil || got != tc.want) {
				t.Fatalf("NormalizePhone(%q) = %q, %v, want %q", tc.in, got, err, tc.want)
			}
			if !tc.ok && !errors.Is(err, ErrInvalid) {
				t.Fatalf("NormalizePhone(%q) = %q, %v, want ErrInvalid", tc.in, got, err)
			}
		})
	}
}

// FuzzNormalizePhone: never panics, and a normalized phone, read as E.164 (with its plus
// sign), normalizes to itself.
func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{"5548999990001", "+55 (48) 9999-0001", "abc", "", "+1 415 555 2671", "55\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, in := range []string{s, s[:len(s)/2]} {
			got, err := NormalizePhone(in)
			if err != nil {
				continue
			}
			again, err := NormalizePhone("+" + got)
			if err != nil || again != got {
				t.Fatalf("NormalizePhone(%q) = %q, but NormalizePhone(+%q) = %q, %v", in, got, got, again, err)
			}
			for _, c := range got {
				if c < '0' || c > '9' {
					t.Fatalf("NormalizePhone(%q) = %q has a non-digit", in, got)
				}
			}
		}
	})
}

func TestCNPJ(t *testing.T) {
	if got := CNPJCheckDigits("112223330001"); got != "11222333000181" {
		t.Fatalf("CNPJCheckDigits = %s, want 11222333000181", got)
	}
	for _, ok := range []string{"11.222.333/0001-81", "11222333000181"} {
		if d, err := NormalizeCNPJ(ok); err != nil || d != "11222333000181" {
			t.Errorf("NormalizeCNPJ(%q) = %q, %v", ok, d, err)
		}
	}
	for _, bad := range []string{"11.222.333/0001-82", "11111111111111", "1122233300018", "11.222.333/0001-8a", ""} {
		if _, err := NormalizeCNPJ(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("NormalizeCNPJ(%q) = %v, want ErrInvalid", bad, err)
		}
	}
	if got := FormatCNPJ("11222333000181"); got != "11.222.333/0001-81" {
		t.Errorf("FormatCNPJ = %s", got)
	}
}
