package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestAccessPages: the self-service password page, disabling a user from the
// users page, and the audit page that records both (issue 15, item 7).
func TestAccessPages(t *testing.T) {
	s := newSite(t)
	elsewhere := s.signedIn("scjg") // the same user on another device
	me := s.signedIn("scjg")

	p := me.post("/account/password", url.Values{"current": {"wrong-password"}, "password": {"new-password-9"}, "confirm": {"new-password-9"}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "当前密码") {
		t.Fatalf("wrong current password: status %d, want 422 naming the field", p.Status)
	}
	p = me.post("/account/password", url.Values{"current": {password}, "password": {"new-password-9"}, "confirm": {"other"}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "不一致") {
		t.Fatalf("mismatched new passwords: status %d", p.Status)
	}
	p = me.post("/account/password", url.Values{"current": {password}, "password": {"new-password-9"}, "confirm": {"new-password-9"}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("change: status %d, want 303:\n%.500s", p.Status, p.Body)
	}
	if p := me.get("/dept"); p.Status != http.StatusOK {
		t.Errorf("the session that changed the password: status %d, want it still signed in", p.Status)
	}
	if p := elsewhere.get("/dept"); p.Status != http.StatusSeeOther {
		t.Errorf("another session of the user: status %d, want it signed out", p.Status)
	}
	if p := s.browser().login("scjg", password); p.Status == http.StatusSeeOther {
		t.Errorf("the old password still signs in")
	}
	if p := s.browser().login("scjg", "new-password-9"); p.Status != http.StatusSeeOther {
		t.Errorf("the new password does not sign in: %d", p.Status)
	}

	gaj := s.signedIn("gaj")
	admin := s.signedIn("admin")
	if p := admin.post("/admin/users/gaj/disable", url.Values{"disabled": {"true"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("disable: status %d", p.Status)
	}
	if p := gaj.get("/dept"); p.Status != http.StatusSeeOther {
		t.Errorf("a disabled user's session: status %d, want sent to sign in", p.Status)
	}
	s.api(s.tokens["gaj"], "GET", "/api/v1/tickets", nil, http.StatusUnauthorized)
	if p := s.browser().login("gaj", password); p.Status == http.StatusSeeOther {
		t.Errorf("a disabled user signs in")
	}
	if p := admin.get("/admin/users"); !strings.Contains(p.Body, "已停用") {
		t.Errorf("the users page does not show gaj disabled")
	}
	audit := admin.get("/admin/audit")
	for _, want := range []string{"user.disable", "user:gaj", "user.password", "user:scjg"} {
		if !strings.Contains(audit.Body, want) {
			t.Errorf("the audit page lacks %q", want)
		}
	}
	if p := admin.post("/admin/users/gaj/disable", url.Values{"disabled": {"false"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("enable: status %d", p.Status)
	}
	s.api(s.tokens["gaj"], "GET", "/api/v1/tickets", nil, http.StatusOK)
}
