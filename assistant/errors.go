package assistant

import "errors"

// ErrMalformedLine is returned by Eval for a corpus line that is not
// "utterance<TAB>intent<TAB>competence" with a known intent and a
// competence of "-", YYYY or YYYY-MM.
var ErrMalformedLine = errors.New("malformed corpus line")
