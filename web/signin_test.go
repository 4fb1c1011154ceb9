package web_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestSignInAndSessions covers the sign-in rules: the form's own CSRF token,
// lockout after repeated failures, channel accounts, sign-out, and sessions that
// end by age or by idleness, in pages and in the API alike.
func TestSignInAndSessions(t *testing.T) {
	s := newSite(t)

	t.Run("sign-in form needs its token", func(t *testing.T) {
		b := s.browser()
		b.get("/login")
		p := b.post("/login", url.Values{"_csrf": {"forged"}, "username": {"sup"}, "password": {password}})
		if p.Status != http.StatusForbidden {
			t.Errorf("sign-in with a forged form token: status %d, want 403", p.Status)
		}
	})

	t.Run("wrong password and unknown user look the same", func(t *testing.T) {
		for _, user := range []string{"sup", "nobody"} {
			p := s.browser().login(user, "wrong-password")
			if p.Status != http.StatusUnauthorized || !strings.Contains(p.Body, "用户名或密码错误") {
				t.Errorf("sign in as %s with a wrong password: status %d, want 401 with the generic message", user, p.Status)
			}
		}
		s.exec(`UPDATE users SET failed_logins = 0 WHERE username = 'sup'`)
	})

	t.Run("lockout after 5 failures, for 15 minutes", func(t *testing.T) {
		b := s.browser()
		for i := 1; i <= 4; i++ {
			if p := b.login("cc", "wrong"); p.Status != http.StatusUnauthorized {
				t.Fatalf("failure %d: status %d, want 401", i, p.Status)
			}
		}
		p := b.login("cc", "wrong")
		if p.Status != http.StatusTooManyRequests || !strings.Contains(p.Body, "锁定") {
			t.Fatalf("5th failure: status %d, want 429 saying the account is locked", p.Status)
		}
		if p := b.login("cc", password); p.Status != http.StatusTooManyRequests {
			t.Fatalf("right password while locked: status %d, want 429", p.Status)
		}
		var minutes float64
		err := s.sys.Store.Pool().QueryRow(t.Context(),
			`SELECT extract(epoch FROM locked_until - now()) / 60 FROM users WHERE username = 'cc'`).Scan(&minutes)
		if err != nil || minutes < 14 || minutes > 15.1 {
			t.Errorf("locked for %.1f minutes (%v), want 15", minutes, err)
		}
		// An admin lifts it early from the users page.
		admin := s.signedIn("admin")
		if p := admin.post("/admin/users/cc/unlock", nil); p.Status != http.StatusSeeOther {
			t.Fatalf("unlock: status %d", p.Status)
		}
		if p := b.login("cc", password); p.Status != http.StatusSeeOther {
			t.Fatalf("sign in after unlock: status %d, want 303", p.Status)
		}
	})

	t.Run("a lock ends by itself, and success resets the count", func(t *testing.T) {
		s.exec(`UPDATE users SET locked_until = now() - interval '1 second', failed_logins = 0 WHERE username = 'scjg'`)
		b := s.browser()
		for i := 0; i < 4; i++ {
			b.login("scjg", "wrong")
		}
		if p := b.login("scjg", password); p.Status != http.StatusSeeOther {
			t.Fatalf("sign in: status %d", p.Status)
		}
		for i := 0; i < 4; i++ {
			if p := s.browser().login("scjg", "wrong"); p.Status != http.StatusUnauthorized {
				t.Fatalf("failure %d after a success: status %d, want 401 (count restarted)", i+1, p.Status)
			}
		}
	})

	t.Run("channel accounts cannot sign in", func(t *testing.T) {
		if p := s.browser().login("portal", password); p.Status != http.StatusForbidden {
			t.Errorf("channel sign-in: status %d, want 403", p.Status)
		}
	})

	t.Run("redirect back after sign-in stays on this site", func(t *testing.T) {
		b := s.browser()
		p := b.get("/tickets?q=x")
		if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/login?next=") {
			t.Fatalf("signed out /tickets: %d %q, want 303 to /login?next=", p.Status, p.Location)
		}
		for next, want := range map[string]string{"/tickets?q=x": "/tickets?q=x", "//evil.example/": "/supervisor", "https://evil.example/": "/supervisor"} {
			b := s.browser()
			m := formToken.FindStringSubmatch(b.get("/login").Body)
			res := b.post("/login", url.Values{"_csrf": {m[1]}, "username": {"sup"}, "password": {password}, "next": {next}})
			if res.Location != want {
				t.Errorf("next=%q: redirected to %q, want %q", next, res.Location, want)
			}
		}
	})

	t.Run("CSRF", func(t *testing.T) {
		b := s.signedIn("admin")
		form := url.Values{"code": {"X-CSRF"}, "name": {"CSRF 测试"}}
		for name, token := range map[string]string{"missing": "", "wrong": "not-the-token"} {
			f := url.Values{"_csrf": {token}}
			for k, v := range form {
				f[k] = v
			}
			if p := b.post("/admin/departments", f); p.Status != http.StatusForbidden {
				t.Errorf("form with %s token: status %d, want 403", name, p.Status)
			}
			if p := b.apiCall("POST", "/api/v1/departments", map[string]string{"code": "X-CSRF", "name": "x"}, token); p.Status != http.StatusForbidden ||
				!strings.Contains(p.Body, "csrf_failed") {
				t.Errorf("API call by cookie with %s header: status %d %s, want 403 csrf_failed", name, p.Status, p.Body)
			}
		}
		req, _ := http.NewRequest("POST", s.sys.URL+"/admin/departments", strings.NewReader(url.Values{"_csrf": {b.csrf}, "code": {"X-CSRF"}, "name": {"x"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "https://evil.example")
		if p := b.do(req); p.Status != http.StatusForbidden {
			t.Errorf("form posted from another origin: status %d, want 403", p.Status)
		}
		// Reading needs no token; bearer tokens need none either.
		if p := b.apiCall("GET", "/api/v1/departments", nil, ""); p.Status != http.StatusOK {
			t.Errorf("GET by cookie without a token: status %d, want 200", p.Status)
		}
		s.api(s.tokens["admin"], "POST", "/api/v1/departments", map[string]string{"code": "X-BEARER", "name": "x"}, 201)
		if p := b.post("/admin/departments", form); p.Status != http.StatusSeeOther {
			t.Errorf("form with the right token: status %d, want 303\n%s", p.Status, p.Body)
		}
	})

	t.Run("sessions end", func(t *testing.T) {
		for name, sql := range map[string]string{
			"expired": `UPDATE sessions SET expires_at = now() - interval '1 second' WHERE username = 'gaj'`,
			"idle":    `UPDATE sessions SET last_seen_at = now() - interval '3 hours' WHERE username = 'gaj'`,
		} {
			b := s.signedIn("gaj")
			if p := b.get("/dept"); p.Status != http.StatusOK {
				t.Fatalf("%s: before: status %d", name, p.Status)
			}
			s.exec(sql)
			if p := b.get("/dept"); p.Status != http.StatusSeeOther || !strings.Contains(p.Location, "expired=1") {
				t.Errorf("%s session: page status %d to %q, want 303 to sign-in saying it expired", name, p.Status, p.Location)
			}
			if p := b.apiCall("GET", "/api/v1/tickets", nil, ""); p.Status != http.StatusUnauthorized {
				t.Errorf("%s session: API status %d, want 401", name, p.Status)
			}
		}
		b := s.signedIn("gaj")
		if p := b.post("/logout", nil); p.Status != http.StatusSeeOther || p.Location != "/login" {
			t.Fatalf("sign out: %d %q", p.Status, p.Location)
		}
		var n int
		_ = s.sys.Store.Pool().QueryRow(t.Context(), `SELECT count(*) FROM sessions WHERE username = 'gaj' AND expires_at > now() AND last_seen_at > now() - interval '1 hour'`).Scan(&n)
		if n != 0 {
			t.Errorf("%d live sessions after sign-out, want 0", n)
		}
	})
}

// TestPhoneNumbers: masked for every role but the call center, whose reveal is
// audited; never in the pages' HTML otherwise.
func TestPhoneNumbers(t *testing.T) {
	s := newSite(t)
	tk := s.rate(deptA, "排队时间太长", "queueing")
	s.waitFor(tk, "awaiting_sign", func(t ticketOut) bool { return t.Status == "awaiting_sign" })
	for _, user := range []string{"admin", "sup", "scjg", "cc"} {
		p := s.signedIn(user).get("/tickets/" + tk)
		if strings.Contains(p.Body, phone) || !strings.Contains(p.Body, "138****1234") {
			t.Errorf("ticket page as %s: want the phone masked as 138****1234 and never whole", user)
		}
	}
	cc := s.signedIn("cc")
	p := cc.post("/tickets/"+tk+"/reveal", nil)
	if p.Status != http.StatusOK || !strings.Contains(p.Body, phone) {
		t.Fatalf("reveal: status %d, want 200 showing the number", p.Status)
	}
	if p := s.signedIn("scjg").post("/tickets/"+tk+"/reveal", nil); p.Status != http.StatusForbidden {
		t.Errorf("reveal by a department: status %d, want 403", p.Status)
	}
	sup := s.signedIn("sup").get("/tickets/" + tk)
	if !strings.Contains(sup.Body, "号码查看记录") || !strings.Contains(sup.Body, "· cc") {
		t.Errorf("supervisor's ticket page does not list the reveal by cc")
	}
	var n int
	_ = s.sys.Store.Pool().QueryRow(t.Context(), `SELECT count(*) FROM phone_reveals WHERE ticket_number = $1 AND username = 'cc'`, tk).Scan(&n)
	if n != 1 {
		t.Errorf("%d reveal audit rows, want 1", n)
	}
	// The API by cookie masks like the API by token.
	if p := s.signedIn("scjg").apiCall("GET", "/api/v1/ratings/"+s.ticket(tk).RatingID, nil, ""); strings.Contains(p.Body, phone) {
		t.Errorf("rating by cookie shows the phone to a department: %s", p.Body)
	}
}

// Parallel guesses cannot outrun the lockout: each attempt is counted before its
// password is compared, so of 29 simultaneous wrong passwords at most 4 are
// answered "wrong", and the account is locked as soon as the 5th is counted, not
// when the 29 bcrypt comparisons finish: the right password sent while they run
// finds it locked (issue 15 item 5: all 29 were compared, and the right one,
// checked against the lock before any of them was counted, signed in).
func TestParallelGuessesAndPerAddressLimit(t *testing.T) {
	s := newSite(t)
	const guesses = 29
	type form struct {
		b    *browser
		csrf string
	}
	forms := make([]form, guesses+1)
	for i := range forms { // the forms first, so only the posts race
		b := s.browser()
		m := formToken.FindStringSubmatch(b.get("/login").Body)
		if m == nil {
			t.Fatal("sign-in page has no form token")
		}
		forms[i] = form{b, m[1]}
	}
	post := func(f form, pass string) int {
		form := url.Values{"_csrf": {f.csrf}, "username": {"sup"}, "password": {pass}}
		req, _ := http.NewRequest("POST", s.sys.URL+"/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, err := f.b.c.Do(req)
		if err != nil {
			t.Error(err)
			return 0
		}
		res.Body.Close()
		return res.StatusCode
	}
	statuses := make([]int, guesses)
	var wg sync.WaitGroup
	for i, f := range forms[:guesses] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = post(f, fmt.Sprintf("wrong-%d", i))
		}()
	}
	// The lock is due once five guesses are counted, long before 29 bcrypt
	// comparisons end; give it 150 ms, then send the right password anyway.
	for start := time.Now(); time.Since(start) < 150*time.Millisecond; time.Sleep(5 * time.Millisecond) {
		var locked bool
		if err := s.sys.Store.Pool().QueryRow(t.Context(),
			`SELECT coalesce(locked_until > now(), false) FROM users WHERE username = 'sup'`).Scan(&locked); err != nil || locked {
			break
		}
	}
	if st := post(forms[guesses], password); st != http.StatusTooManyRequests {
		t.Errorf("right password while 29 guesses are being checked: status %d, want 429 (locked)", st)
	}
	wg.Wait()
	count := map[int]int{}
	for _, st := range statuses {
		count[st]++
	}
	if count[http.StatusUnauthorized] > 4 || count[http.StatusUnauthorized]+count[http.StatusTooManyRequests] != guesses {
		t.Errorf("29 parallel wrong passwords: statuses %v, want at most 4×401 and the rest 429", count)
	}

	// The same address keeps posting (other accounts, unknown users): it is slowed
	// down with 429 and Retry-After, whatever the account.
	b := s.browser()
	for i := 0; ; i++ {
		if i == 60 {
			t.Fatal("60 more sign-ins from one address in a row were never limited")
		}
		m := formToken.FindStringSubmatch(b.get("/login").Body)
		form := url.Values{"_csrf": {m[1]}, "username": {fmt.Sprintf("nobody-%d", i)}, "password": {"x"}}
		req, _ := http.NewRequest("POST", s.sys.URL+"/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, err := b.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode == http.StatusTooManyRequests {
			if !strings.Contains(string(body), "过于频繁") || res.Header.Get("Retry-After") == "" {
				t.Errorf("per-address limit: body or Retry-After missing: %q %q", res.Header.Get("Retry-After"), body)
			}
			break
		}
	}
}
