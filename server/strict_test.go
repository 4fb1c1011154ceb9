package server

import (
	"strings"
	"testing"
)

// Issue 16 item 11: the API answers as its document says for a wrong method, a
// body that is not JSON, and null where a field is not nullable.
func TestStrictAPI(t *testing.T) {
	s := bare(t)
	r := send(s, "DELETE", "/api/v1/departments", nil, "192.0.2.1:1")
	wantError(t, r, 405, "method_not_allowed")
	if got := r.Header.Get("Allow"); got != "GET, POST" {
		t.Errorf("Allow: %q, want \"GET, POST\"", got)
	}
	r = send(s, "PUT", "/api/v1/tickets/GD20261125000123", nil, "192.0.2.1:1")
	wantError(t, r, 405, "method_not_allowed")
	if got := r.Header.Get("Allow"); got != "GET" {
		t.Errorf("Allow: %q, want GET", got)
	}
	wantError(t, send(s, "GET", "/api/v1/no-such-thing", nil, "192.0.2.1:1"), 404, "not_found")

	wantError(t, send(s, "POST", "/api/v1/departments", strings.NewReader(`{"code":"A","name":"B"}`), "192.0.2.1:1",
		"Content-Type", "text/plain"), 415, "unsupported_media_type")

	r = send(s, "POST", "/api/v1/departments", strings.NewReader(`{"code":null,"name":"B"}`), "192.0.2.1:1")
	wantError(t, r, 422, "null_value")
	if len(r.Err.Error.Fields) != 1 || r.Err.Error.Fields[0].Field != "code" {
		t.Errorf("fields: %+v, want code", r.Err.Error.Fields)
	}
}

func TestRefuseNulls(t *testing.T) {
	for body, want := range map[string]string{
		`{"a":1}`: "",
		`{"teams":null,"always_call_items":null}`:          "", // nullable in the document
		`{"teams":[{"code":"x","department_codes":null}]}`: "",
		`{"teams":[{"code":null}]}`:                        "teams[0].code: must not be null",
		`{"citizen":{"phone":null}}`:                       "citizen.phone: must not be null",
		`[{"id":"x"},{"id":null}]`:                         "[1].id: must not be null",
		`{"comment":"null"}`:                               "",
	} {
		err := refuseNulls([]byte(body))
		got := ""
		if err != nil {
			got = err.Error()
		}
		if !strings.Contains(got, want) || (want == "") != (err == nil) {
			t.Errorf("%s: %v, want %q", body, err, want)
		}
	}
}
