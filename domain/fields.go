package domain

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
)

// The shapes of a region code and a phone number, wherever a body has one.
var (
	regionPattern = regexp.MustCompile(`^[0-9]{6}$`)
	phonePattern  = regexp.MustCompile(`^\+?[0-9][0-9-]{5,19}$`)
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

// Region checks an optional administrative division code.
func (fs *FieldErrors) Region(field, v string) {
	if v != "" && !regionPattern.MatchString(v) {
		fs.Bad(field, "must be a 6-digit administrative division code")
	}
}

// Person checks a citizen's optional name and phone (a rating's rater, a
// finished case's applicant), reported as prefix.name and prefix.phone.
func (fs *FieldErrors) Person(prefix, name, phone string) {
	if len([]rune(name)) > 64 {
		fs.Bad(prefix+".name", "at most 64 characters")
	}
	if phone != "" && !phonePattern.MatchString(phone) {
		fs.Bad(prefix+".phone", "must be a phone number of digits")
	}
}
