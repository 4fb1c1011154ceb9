package domain

import (
	"strings"
	"testing"
)

// TestFieldErrorsCode: the one check of identifier-like fields.
func TestFieldErrorsCode(t *testing.T) {
	tests := []struct {
		name     string
		v        string
		required bool
		want     string // the message, "" for none
	}{
		{"present", "D-A", true, ""},
		{"missing, required", "", true, "required"},
		{"missing, optional", "", false, ""},
		{"at the bound", strings.Repeat("码", MaxCodeRunes), true, ""},
		{"over the bound", strings.Repeat("码", MaxCodeRunes+1), false, "at most 128 characters"},
		{"control character", "D\x00A", false, "must not contain control characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var fs FieldErrors
			fs.Code("department_code", tt.v, tt.required)
			got := ""
			if len(fs) > 0 {
				got = fs[0].Message
			}
			if got != tt.want || len(fs) > 1 {
				t.Errorf("Code(%q, %v) = %v, want %q", tt.v, tt.required, fs, tt.want)
			}
		})
	}
}
