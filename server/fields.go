package server

import (
	"fmt"
	"strings"
	"unicode"

	"rectify/domain"
)

// fieldErrors collects what is wrong with one request body, field by field.
type fieldErrors []domain.FieldError

func (fs *fieldErrors) bad(field, msg string) {
	*fs = append(*fs, domain.FieldError{Field: field, Message: msg})
}

// code checks an identifier-like field: present when required, bounded, printable.
func (fs *fieldErrors) code(field, v string, required bool) {
	switch {
	case v == "" && required:
		fs.bad(field, "required")
	case len([]rune(v)) > maxCodeRunes:
		fs.bad(field, fmt.Sprintf("at most %d characters", maxCodeRunes))
	case strings.IndexFunc(v, unicode.IsControl) >= 0:
		fs.bad(field, "must not contain control characters")
	}
}
