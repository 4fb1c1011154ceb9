package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"rectify/domain"
	"rectify/services"
	"rectify/store"
)

// fuzzNow is a fixed receive time, so "in the future" is reproducible.
var fuzzNow = time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)

// FuzzParseRating feeds arbitrary bytes to the rating decoder and validator as
// POST /api/v1/ratings runs them (checkText on the body, then parseRating). It
// must never panic; a refusal is always a 400 or 422 domain error with a code;
// an accepted rating satisfies every rule, and parsing is deterministic.
func FuzzParseRating(f *testing.F) {
	for _, s := range []string{
		`{"id":"JS-WEB-20261125-000123","channel":"web","level":"dissatisfied","department_code":"320100-SCJG"}`,
		`{"id":"A","channel":"hotline","level":"very_satisfied","rated_at":"2026-11-25T09:30:00+08:00","department_code":"D","aspects":["queueing","attitude"],"comment":"好","citizen":{"name":"张三","phone":"13812341234","anonymous":false}}`,
		`{"id":"x'; DROP TABLE ratings; --","channel":"kiosk","level":"satisfied","department_code":"1 OR 1=1"}`,
		`{"id":"A","levle":"satisfied"}`,
		`{"id":7}`,
		"{\"id\":\"\xff\"}",
		`{"id":"A","comment":"\u0000"}`,
		`[]`, `null`, ``, `{}{}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		err := checkText(b)
		var nr store.NewRating
		if err == nil {
			nr, err = parseRating(b, fuzzNow)
		}
		if err != nil {
			de, ok := domain.AsError(err)
			if !ok || de.Code == "" || de.Message == "" {
				t.Fatalf("refusal is not a domain error with a code: %#v", err)
			}
			if de.Kind != domain.KindBadRequest && de.Kind != domain.KindInvalid {
				t.Fatalf("refusal of input is %v (%s), want a 400 or 422 kind", de.Kind, de.Code)
			}
			return
		}
		r := nr.Rating
		switch {
		case r.ID == "" || utf8.RuneCountInString(r.ID) > domain.MaxCodeRunes:
			t.Fatalf("accepted id %q", r.ID)
		case !r.Channel.Valid() || !r.Level.Valid():
			t.Fatalf("accepted channel %q level %q", r.Channel, r.Level)
		case r.Negative != r.Level.Negative():
			t.Fatalf("negative %v for level %s", r.Negative, r.Level)
		case r.DepartmentCode == "":
			t.Fatal("accepted a rating without a department")
		case utf8.RuneCountInString(r.Comment) > maxComment:
			t.Fatalf("accepted a comment of %d characters", utf8.RuneCountInString(r.Comment))
		case r.RatedAt.After(fuzzNow.Add(clockSkew)) || r.RatedAt.Year() < 2000:
			t.Fatalf("accepted rated_at %s", r.RatedAt)
		case r.Aspects == nil:
			t.Fatal("aspects must be an empty list, not null")
		}
		for _, s := range []string{r.ID, r.DepartmentCode, r.Comment, r.CaseNo, r.StaffID, r.HallCode, r.ServiceItemCode} {
			if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
				t.Fatalf("accepted text Postgres cannot store faithfully: %q", s)
			}
		}
		for i, a := range r.Aspects {
			if !slices.Contains(domain.Aspects, a) || slices.Index(r.Aspects, a) != i {
				t.Fatalf("accepted aspects %v", r.Aspects)
			}
		}
		// The same bytes are the same rating: a retry is never a conflict.
		again, err := parseRating(b, fuzzNow)
		if err != nil || !bytes.Equal(again.BodyHash, nr.BodyHash) {
			t.Fatalf("parsing twice: hash %x then %x (err %v)", nr.BodyHash, again.BodyHash, err)
		}
	})
}

// FuzzSurveyToken feeds arbitrary strings to the survey link's token check. Only
// the shape of a real token (32 bytes, base64url, 43 characters) gets a lookup,
// and its hash is the SHA-256 the token is stored under.
func FuzzSurveyToken(f *testing.F) {
	for _, s := range []string{
		base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{0xab}, 32)),
		"not-a-token", "", strings.Repeat("A", 42), strings.Repeat("A", 44), strings.Repeat("/", 43),
		strings.Repeat("A", 42) + "=", "../../../../etc/passwd", "' OR '1'='1", strings.Repeat("é", 43),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		hash, ok := services.ParseSurveyToken(raw)
		shaped := len(raw) == 43 && strings.Trim(raw, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == ""
		if ok != shaped {
			t.Fatalf("ParseSurveyToken(%q) ok=%v, want %v", raw, ok, shaped)
		}
		if !ok {
			if hash != nil {
				t.Fatalf("a refused token has a hash")
			}
			return
		}
		if want := sha256.Sum256([]byte(raw)); !bytes.Equal(hash, want[:]) {
			t.Fatalf("hash of %q: got %x, want its SHA-256", raw, hash)
		}
		// 43 base64url characters carry 258 bits; a token made of 32 random bytes
		// always leaves the last two zero, so only those decode (the others are
		// still looked up, and simply not found).
		if b, err := base64.RawURLEncoding.Strict().DecodeString(raw); err == nil && len(b) != 32 {
			t.Fatalf("%q decodes to %d bytes, want 32", raw, len(b))
		}
	})
}
