package domain

import (
	"strings"
	"testing"
)

// TestFieldErrors: the one check of each kind of request field. want is what
// was reported, "field: message; ...", or "" for nothing.
func TestFieldErrors(t *testing.T) {
	atBound, overBound := strings.Repeat("码", MaxCodeRunes), strings.Repeat("码", MaxCodeRunes+1)
	for name, c := range map[string]struct {
		check func(*FieldErrors)
		want  string
	}{
		"code present":            {func(fs *FieldErrors) { fs.Code("id", "D-A", true) }, ""},
		"code missing, required":  {func(fs *FieldErrors) { fs.Code("id", "", true) }, "id: required"},
		"code missing, optional":  {func(fs *FieldErrors) { fs.Code("id", "", false) }, ""},
		"code at the bound":       {func(fs *FieldErrors) { fs.Code("id", atBound, true) }, ""},
		"code over the bound":     {func(fs *FieldErrors) { fs.Code("id", overBound, false) }, "id: at most 128 characters"},
		"code, control character": {func(fs *FieldErrors) { fs.Code("id", "D\x00A", false) }, "id: must not contain control characters"},
		"person fine":             {func(fs *FieldErrors) { fs.Person("applicant", "张三", "138-1234-1234") }, ""},
		"person unnamed":          {func(fs *FieldErrors) { fs.Person("applicant", "", "") }, ""},
		"person, long name":       {func(fs *FieldErrors) { fs.Person("citizen", strings.Repeat("张", 65), "") }, "citizen.name: at most 64 characters"},
		"person, letters in phone": {func(fs *FieldErrors) { fs.Person("citizen", "", "call me") },
			"citizen.phone: must be a phone number of digits"},
		"region fine":      {func(fs *FieldErrors) { fs.Region("region_code", "320102") }, ""},
		"region absent":    {func(fs *FieldErrors) { fs.Region("region_code", "") }, ""},
		"region, 5 digits": {func(fs *FieldErrors) { fs.Region("region_code", "32010") }, "region_code: must be a 6-digit administrative division code"},
	} {
		var fs FieldErrors
		c.check(&fs)
		var got []string
		for _, f := range fs {
			got = append(got, f.Field+": "+f.Message)
		}
		if g := strings.Join(got, "; "); g != c.want {
			t.Errorf("%s: %q, want %q", name, g, c.want)
		}
	}
}
