package balcao

import "fmt"

// NormalizePhone turns a phone number as people write it into E.164 digits without the plus
// sign ("5548999990001"). Brazilian numbers are completed: a missing country code is added and
// a mobile written without the ninth digit (55 48 9999-0001) gets it, so that both spellings
// name one contact. Other countries' numbers are accepted as 8 to 15 digits with their code.
func NormalizePhone(s string) (string, error) {
	if len(s) > 64 {
		return "", fmt.Errorf("phone too long: %w", ErrInvalid)
	}
	d := make([]byte, 0, 16)
	plus := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			d = append(d, c)
		case c == '+' && len(d) == 0 && !plus:
			plus = true
		case c == ' ', c == '-', c == '(', c == ')', c == '.':
		default:
			return "", fmt.Errorf("phone has %q: %w", c, ErrInvalid)
		}
	}
	// Brazilian numbers written without the country code: DDD + 8 or 9 digits. With a plus
	// sign the country code is there.
	if !plus && (len(d) == 10 || len(d) == 11) && d[0] != '0' {
		d = append([]byte("55"), d...)
	}
	if len(d) >= 2 && d[0] == '5' && d[1] == '5' {
		return normalizeBR(d)
	}
	if len(d) < 8 || len(d) > 15 || d[0] == '0' {
		return "", fmt.Errorf("phone has %d digits: %w", len(d), ErrInvalid)
	}
	return string(d), nil
}

func normalizeBR(d []byte) (string, error) {
	if len(d) != 12 && len(d) != 13 {
		return "", fmt.Errorf("brazilian phone has %d digits: %w", len(d), ErrInvalid)
	}
	if d[2] == '0' || d[3] == '0' {
		return "", fmt.Errorf("brazilian phone has area code %s: %w", d[2:4], ErrInvalid)
	}
	sub := d[4:]
	switch {
	case len(sub) == 9 && sub[0] == '9' && sub[1] >= '6':
		return string(d), nil // mobile with the ninth digit
	case len(sub) == 8 && sub[0] >= '6':
		return string(d[:4]) + "9" + string(sub), nil // mobile without the ninth digit
	case len(sub) == 8 && sub[0] >= '2' && sub[0] <= '5':
		return string(d), nil // landline
	}
	return "", fmt.Errorf("brazilian phone subscriber %s: %w", sub, ErrInvalid)
}

// MaskPhone hides the middle of a phone number for logs: "5548*****0001".
func MaskPhone(p string) string {
	if len(p) <= 8 {
		return "****"
	}
	b := []byte(p)
	for i := 4; i < len(b)-4; i++ {
		b[i] = '*'
	}
	return string(b)
}
