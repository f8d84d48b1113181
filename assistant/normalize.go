package assistant

import (
	"unicode"
	"unicode/utf8"
)

// Work caps: a WhatsApp question fits easily; anything longer is cut so that
// a 100 kB paste costs the same as a short message.
const (
	maxRunes  = 400 // runes of the message looked at
	maxTokens = 64  // tokens kept
)

// token is one word of a normalized message.
type token struct {
	s          string // normalized: lower case, no accents, repeated letters collapsed
	start, end int    // byte span in the original text
	upper      bool   // typed in capitals ("DAS"), at least two letters
	ns, ne     int    // byte span in the normalized text (internal)
}

// emojiWords turns the few emojis that carry meaning into words.
var emojiWords = map[rune]string{
	'🙏': "obrigado",
	'👍': "ok",
	'👋': "oi",
}

// tokenize normalizes text and splits it into tokens, appended to dst.
//
// Normalization: lower case; Latin accents folded (ç→c, ã→a, º→o); runs of
// the same letter collapsed to one ("hollerite"→"holerite", "oiii"→"oi",
// "passado"→"pasado": keywords go through the same function, so they agree);
// everything that is not a letter or a digit separates words, except '/'
// next to a digit ("10/2026", "out/26") and '-' or '.' between digits
// ("2026-10"). Invalid UTF-8 is a separator.
func tokenize(text string, dst []token) []token {
	// The normalized text is built here, then copied once into the tokens' string.
	var stack [128]byte
	buf := stack[:0]
	if n := min(len(text), 4*maxRunes) + 8; n > len(stack) {
		buf = make([]byte, 0, n)
	}
	var (
		cur      *token // token being built, nil between tokens
		runes    int
		upperN   int // capital letters in the current token
		lettersN int // letters in the current token
		segN     int // characters since the token began or since a dot of an acronym
	)
	end := func(at int) {
		if cur == nil {
			return
		}
		cur.end = at
		cur.ne = len(buf)
		cur.upper = lettersN >= 2 && upperN == lettersN
		cur = nil
	}
	begin := func(at int) bool {
		if len(dst) == cap(dst) {
			return false
		}
		if len(buf) > 0 {
			buf = append(buf, ' ')
		}
		dst = append(dst, token{start: at, ns: len(buf)})
		cur = &dst[len(dst)-1]
		upperN, lettersN, segN = 0, 0, 0
		return true
	}
	lastByte := func() byte {
		if cur == nil || len(buf) == cur.ns {
			return 0
		}
		return buf[len(buf)-1]
	}
	i := 0
	for ; i < len(text) && runes < maxRunes; runes++ {
		r, size := utf8.DecodeRuneInString(text[i:])
		if r == utf8.RuneError && size <= 1 {
			end(i)
			i += max(size, 1)
			continue
		}
		if w, ok := emojiWords[r]; ok {
			end(i)
			if !begin(i) {
				break
			}
			buf = append(buf, w...)
			end(i + size)
			i += size
			continue
		}
		c, isUpper := fold(r)
		switch {
		case c != 0:
			if cur == nil && !begin(i) {
				i = len(text)
				continue
			}
			if isLetter(c) {
				lettersN++
				if isUpper {
					upperN++
				}
				if lastByte() == c {
					i += size // collapse repeated letters
					segN++
					continue
				}
			}
			buf = append(buf, c)
			segN++
		case unicode.IsLetter(r):
			// A letter from another script: keep it, it will match nothing.
			if cur == nil && !begin(i) {
				i = len(text)
				continue
			}
			lettersN++
			buf = utf8.AppendRune(buf, unicode.ToLower(r))
		case (r == '/' || r == '-' || r == '.') && cur != nil:
			prev := lastByte()
			next := byte(0)
			if i+1 < len(text) {
				nr, _ := utf8.DecodeRuneInString(text[i+1:])
				next, _ = fold(nr)
			}
			keep := false
			if r == '.' && segN == 1 && isLetter(prev) && isLetter(next) && !letterAt(text, i+2) {
				// "D.R.E.", "F.G.T.S.": an acronym of single letters is one word.
				segN = 0
				i += size
				continue
			}
			if r == '/' {
				keep = (isDigit(next) && (isDigit(prev) || isLetter(prev))) ||
					(isDigit(prev) && isLetter(next))
			} else {
				keep = isDigit(prev) && isDigit(next)
			}
			if keep {
				buf = append(buf, byte(r))
			} else {
				end(i)
			}
		default:
			end(i)
		}
		i += size
	}
	end(min(i, len(text)))
	norm := string(buf)
	for k := range dst {
		dst[k].s = norm[dst[k].ns:dst[k].ne]
	}
	return dst
}

// letterAt reports whether text[i] is an ASCII letter.
func letterAt(text string, i int) bool {
	if i >= len(text) {
		return false
	}
	c := text[i] | 0x20
	return c >= 'a' && c <= 'z'
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }

// fold maps a rune to a lower-case ASCII letter or digit, or 0 when it is
// neither (after folding Latin accents). isUpper tells the rune was a capital.
func fold(r rune) (c byte, isUpper bool) {
	switch {
	case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
		return byte(r), false
	case r >= 'A' && r <= 'Z':
		return byte(r) + 'a' - 'A', true
	case r < 0xAA || r > 0x17F:
		return 0, false
	}
	switch r {
	case 'ª':
		return 'a', false
	case 'º', '°':
		return 'o', false
	case 'à', 'á', 'â', 'ã', 'ä', 'å':
		return 'a', false
	case 'À', 'Á', 'Â', 'Ã', 'Ä', 'Å':
		return 'a', true
	case 'è', 'é', 'ê', 'ë':
		return 'e', false
	case 'È', 'É', 'Ê', 'Ë':
		return 'e', true
	case 'ì', 'í', 'î', 'ï':
		return 'i', false
	case 'Ì', 'Í', 'Î', 'Ï':
		return 'i', true
	case 'ò', 'ó', 'ô', 'õ', 'ö':
		return 'o', false
	case 'Ò', 'Ó', 'Ô', 'Õ', 'Ö':
		return 'o', true
	case 'ù', 'ú', 'û', 'ü':
		return 'u', false
	case 'Ù', 'Ú', 'Û', 'Ü':
		return 'u', true
	case 'ç':
		return 'c', false
	case 'Ç':
		return 'c', true
	case 'ñ':
		return 'n', false
	case 'Ñ':
		return 'n', true
	}
	return 0, false
}

// normalizeWords normalizes a lexicon phrase into its tokens' strings.
func normalizeWords(s string) []string {
	var arr [maxTokens]token
	toks := tokenize(s, arr[:0])
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = t.s
	}
	return out
}
