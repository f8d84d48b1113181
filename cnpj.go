package balcao

import "fmt"

// NormalizeCNPJ validates a CNPJ written with or without punctuation and returns its 14 digits.
func NormalizeCNPJ(s string) (string, error) {
	d := make([]byte, 0, 14)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			d = append(d, c)
		case c == '.', c == '/', c == '-', c == ' ':
		default:
			return "", fmt.Errorf("cnpj has %q: %w", c, ErrInvalid)
		}
	}
	if len(d) != 14 {
		return "", fmt.Errorf("cnpj has %d digits: %w", len(d), ErrInvalid)
	}
	same := true
	for _, c := range d[1:] {
		same = same && c == d[0]
	}
	if same || cnpjDigit(d[:12]) != d[12] || cnpjDigit(d[:13]) != d[13] {
		return "", fmt.Errorf("cnpj check digits: %w", ErrInvalid)
	}
	return string(d), nil
}

// FormatCNPJ writes 14 digits as 12.345.678/0001-90.
func FormatCNPJ(d string) string {
	if len(d) != 14 {
		return d
	}
	return d[0:2] + "." + d[2:5] + "." + d[5:8] + "/" + d[8:12] + "-" + d[12:14]
}

// CNPJCheckDigits completes 12 base digits with the two check digits.
func CNPJCheckDigits(base12 string) string {
	d := []byte(base12)
	d = append(d, cnpjDigit(d))
	d = append(d, cnpjDigit(d))
	return string(d)
}

func cnpjDigit(d []byte) byte {
	sum, w := 0, len(d)-7 // weights run 5..2,9..2 for 12 digits and 6..2,9..2 for 13
	for _, c := range d {
		sum += int(c-'0') * w
		w--
		if w < 2 {
			w = 9
		}
	}
	r := sum % 11
	if r < 2 {
		return '0'
	}
	return byte('0' + 11 - r)
}
