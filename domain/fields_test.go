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

// TestFieldErrorsPerson: a rater's and an applicant's name and phone, one rule.
func TestFieldErrorsPerson(t *testing.T) {
	tests := []struct {
		name, person, phone string
		want                []string
	}{
		{"fine", "张三", "138-1234-1234", nil},
		{"none", "", "", nil},
		{"long name", strings.Repeat("张", 65), "", []string{"applicant.name"}},
		{"letters in phone", "", "call me", []string{"applicant.phone"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var fs FieldErrors
			fs.Person("applicant", tt.person, tt.phone)
			var got []string
			for _, f := range fs {
				got = append(got, f.Field)
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("Person(%q, %q) = %v, want %v", tt.person, tt.phone, got, tt.want)
			}
		})
	}
	var fs FieldErrors
	fs.Region("region_code", "32010")
	fs.Region("region_code", "")
	fs.Region("region_code", "320102")
	if len(fs) != 1 {
		t.Errorf("Region: %v, want one error for the 5-digit code", fs)
	}
}
