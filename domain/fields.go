package domain

import (
	"fmt"
	"strings"
	"unicode"
)

// MaxCodeRunes bounds an identifier-like field: a rating's id, a department,
// service item, staff, hall or case code.
const MaxCodeRunes = 128

// FieldErrors collects what is wrong with one request body, field by field;
// Invalid turns them into the one error.
type FieldErrors []FieldError

// Bad records that field is wrong, and why.
func (fs *FieldErrors) Bad(field, msg string) {
	*fs = append(*fs, FieldError{Field: field, Message: msg})
}

// Code checks an identifier-like field, the one rule for every body that has
// them (a rating, a finished case): present when required, at most
// MaxCodeRunes characters, no control characters.
func (fs *FieldErrors) Code(field, v string, required bool) {
	switch {
	case v == "" && required:
		fs.Bad(field, "required")
	case len([]rune(v)) > MaxCodeRunes:
		fs.Bad(field, fmt.Sprintf("at most %d characters", MaxCodeRunes))
	case strings.IndexFunc(v, unicode.IsControl) >= 0:
		fs.Bad(field, "must not contain control characters")
	}
}
