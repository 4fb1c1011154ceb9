package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var urgeKey = regexp.MustCompile(`action="/tickets/[^"]+/urge" class="action">.*?name="_idem" value="([0-9a-f]{32})"`)

// Issue 16 item 2: each render of an action form carries a fresh Idempotency-Key,
// so submitting the same rendered form twice (a double click, a resubmit after a
// lost answer) acts once.
func TestActionFormsSendOneKeyPerRender(t *testing.T) {
	s := newSite(t)
	tk := s.rate(deptA, "办事效率低", "handling")
	s.waitFor(tk, "awaiting_sign", func(t ticketOut) bool { return t.Status == "awaiting_sign" })
	sup := s.signedIn("sup")

	key := func() string {
		t.Helper()
		p := sup.get("/tickets/" + tk)
		m := urgeKey.FindStringSubmatch(strings.ReplaceAll(p.Body, "\n", " "))
		if m == nil {
			t.Fatalf("the ticket page has no urge form with a key:\n%s", p.Body)
		}
		return m[1]
	}
	k1, k2 := key(), key()
	if k1 == k2 {
		t.Fatalf("two renders gave the same key %s", k1)
	}
	for range 2 {
		if p := sup.post("/tickets/"+tk+"/urge", url.Values{"note": {"请尽快"}, "_idem": {k1}}); p.Status != http.StatusSeeOther {
			t.Fatalf("urge: %d\n%s", p.Status, p.Body)
		}
	}
	var got struct {
		Events []struct{ Type string } `json:"events"`
	}
	s.decode(s.api(s.tokens["sup"], "GET", "/api/v1/tickets/"+tk, nil, 200), &got)
	n := 0
	for _, e := range got.Events {
		if e.Type == "urged" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("the same rendered form submitted twice made %d urged events, want 1", n)
	}
}
