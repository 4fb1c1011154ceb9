package server_test

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"rectify/calendar"
	"rectify/campaigns"
	"rectify/domain"
	"rectify/internal/apitest"
	"rectify/internal/testdb"
	"rectify/server"
	"rectify/stats"
	"rectify/store"
)

// trustServer is the API (no Temporal) on a fresh database with departments D-A
// and D-B and one user of each role; each user's bearer token is tok(username).
func trustServer(t *testing.T) (*httptest.Server, *store.Store) {
	t.Helper()
	st := testdb.New(t)
	ctx := context.Background()
	for _, d := range []domain.Department{{Code: "D-A", Name: "甲局"}, {Code: "D-B", Name: "乙局"}} {
		if err := st.CreateDepartment(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range []domain.User{{Username: "sup", Role: domain.RoleSupervisor}, {Username: "cc", Role: domain.RoleCallCenter},
		{Username: "admin", Role: domain.RoleAdmin}, {Username: "portal", Role: domain.RoleChannel},
		{Username: "depa", Role: domain.RoleDepartment, DepartmentCode: "D-A"},
		{Username: "depb", Role: domain.RoleDepartment, DepartmentCode: "D-B"}} {
		if err := st.CreateUser(ctx, u, "x"); err != nil {
			t.Fatal(err)
		}
		if err := st.CreateToken(ctx, u.Username, tok(u.Username)); err != nil {
			t.Fatal(err)
		}
	}
	loc, _ := time.LoadLocation("Asia/Shanghai")
	s := server.New(server.Deps{Store: st, Calendar: calendar.New(loc, 18*time.Hour),
		Log: slog.New(slog.DiscardHandler), BootstrapAdminToken: statsAdmin})
	srv := httptest.NewServer(s.Echo)
	t.Cleanup(srv.Close)
	return srv, st
}

func tok(username string) string { return username + "-token-0123456789" }

// storeRating stores one rating straight through the store, as POST /ratings does.
func storeRating(t *testing.T, st *store.Store, r domain.Rating) store.RatingResult {
	t.Helper()
	h := sha256.Sum256([]byte(r.ID))
	if r.Aspects == nil {
		r.Aspects = []string{}
	}
	if r.RatedAt.IsZero() {
		r.RatedAt = time.Now().Add(-time.Hour)
	}
	r.Negative = r.Level.Negative()
	res, err := st.CreateRatings(context.Background(), []store.NewRating{{Rating: r, BodyHash: h[:], SubmittedBy: "portal"}})
	if err != nil {
		t.Fatal(err)
	}
	return res[0]
}

// TestAnonymousRaterIsNamedToNobody: an anonymous rater's name and phone are not
// stored, so no role, page, export or push can show them (issue 15, item 2).
func TestAnonymousRaterIsNamedToNobody(t *testing.T) {
	srv, st := trustServer(t)
	ctx := context.Background()
	res := storeRating(t, st, domain.Rating{ID: "ANON-1", Channel: domain.ChannelWeb, Level: domain.VeryDissatisfied,
		DepartmentCode: "D-A", Comment: "态度差", Citizen: &domain.Citizen{Name: "王五", Phone: "13700001111", Anonymous: true}})
	if res.Ticket == nil {
		t.Fatal("no ticket for a negative rating")
	}
	for _, who := range []string{"depa", "sup", "cc", "admin"} {
		g := call(t, srv, tok(who), "GET", "/api/v1/ratings/ANON-1", "")
		if g.status != 200 {
			t.Fatalf("as %s: status %d: %s", who, g.status, g.body)
		}
		body := string(g.body)
		if strings.Contains(body, "王五") || strings.Contains(body, "1111") || strings.Contains(body, `"anonymous":false`) {
			t.Errorf("as %s: the anonymous rater shows: %s", who, body)
		}
	}
	var name, phone string
	if err := st.Pool().QueryRow(ctx, `SELECT citizen_name, citizen_phone FROM ratings WHERE id = 'ANON-1'`).Scan(&name, &phone); err != nil {
		t.Fatal(err)
	}
	if name != "" || phone != "" {
		t.Errorf("stored name %q phone %q, want neither", name, phone)
	}
	o, err := st.PlatformOrderOf(ctx, res.Ticket.Number)
	if err != nil || o.CitizenName != "" || !o.Anonymous {
		t.Errorf("12345 push: %+v, %v", o, err)
	}
	// No writer can store them again, the store or anything else.
	_, err = st.Pool().Exec(ctx, `UPDATE ratings SET citizen_name = '王五' WHERE id = 'ANON-1'`)
	if err == nil || !strings.Contains(err.Error(), "ratings_anonymous_unnamed") {
		t.Errorf("naming an anonymous rating: %v, want the CHECK to refuse", err)
	}
	// A real-name rater is kept, and their phone masked for the department.
	storeRating(t, st, domain.Rating{ID: "REAL-1", Channel: domain.ChannelWeb, Level: domain.Satisfied,
		DepartmentCode: "D-A", Citizen: &domain.Citizen{Name: "赵六", Phone: "13700002222"}})
	if g := call(t, srv, tok("depa"), "GET", "/api/v1/ratings/REAL-1", ""); !strings.Contains(string(g.body), "137****2222") {
		t.Errorf("real-name rating as its department: %s", g.body)
	}
}

// TestTakingAccessAway: tokens list (metadata only), revoke, expire; users
// disabled and re-enabled; passwords changed by an admin or by the user; every
// admin action in the audit log (issue 15, item 7).
func TestTakingAccessAway(t *testing.T) {
	srv, st := trustServer(t)
	ctx := context.Background()
	admin := tok("admin")
	want := func(g got, status int) got {
		t.Helper()
		if g.status != status {
			t.Fatalf("status %d, want %d: %s", g.status, status, g.body)
		}
		return g
	}
	var issued struct {
		Token     string  `json:"token"`
		ID        int64   `json:"id"`
		ExpiresAt *string `json:"expires_at"`
	}
	decodeInto(t, want(call(t, srv, admin, "POST", "/api/v1/users/depa/tokens", `{"expires_in_days": 30}`), 201).body, &issued)
	if issued.Token == "" || issued.ExpiresAt == nil {
		t.Fatalf("issued: %+v", issued)
	}
	want(call(t, srv, admin, "POST", "/api/v1/users/depa/tokens", `{"expires_in_days": 0}`), 422)
	want(call(t, srv, admin, "POST", "/api/v1/users/depa/tokens", `{"expires_in_days": "x"}`), 400)
	want(call(t, srv, issued.Token, "GET", "/api/v1/tickets", ""), 200) // cached from here on

	t.Run("the list shows metadata, never a token", func(t *testing.T) {
		g := want(call(t, srv, admin, "GET", "/api/v1/users/depa/tokens", ""), 200)
		var out struct {
			Tokens []map[string]any `json:"tokens"`
		}
		decodeInto(t, g.body, &out)
		if len(out.Tokens) != 2 || strings.Contains(string(g.body), issued.Token) || strings.Contains(string(g.body), "token-0123456789") {
			t.Fatalf("tokens: %s", g.body)
		}
		for _, k := range []string{"id", "created_at", "expires_at", "last_used_at"} {
			if _, ok := out.Tokens[0][k]; !ok {
				t.Errorf("no %q in %v", k, out.Tokens[0])
			}
		}
		if out.Tokens[0]["last_used_at"] == nil {
			t.Errorf("the token just used has no last_used_at: %v", out.Tokens[0])
		}
		want(call(t, srv, tok("sup"), "GET", "/api/v1/users/depa/tokens", ""), 403)
		want(call(t, srv, admin, "GET", "/api/v1/users/nobody/tokens", ""), 404)
	})

	t.Run("a revoked token answers 401 at once", func(t *testing.T) {
		want(call(t, srv, admin, "DELETE", "/api/v1/users/depa/tokens/"+itoa(issued.ID), ""), 204)
		want(call(t, srv, issued.Token, "GET", "/api/v1/tickets", ""), 401)
		want(call(t, srv, admin, "DELETE", "/api/v1/users/depa/tokens/"+itoa(issued.ID), ""), 404)
		want(call(t, srv, admin, "DELETE", "/api/v1/users/depb/tokens/1", ""), 404) // another user's token id
		want(call(t, srv, admin, "DELETE", "/api/v1/users/depa/tokens/abc", ""), 404)
	})

	t.Run("an expired token answers 401", func(t *testing.T) {
		if _, err := st.IssueToken(ctx, "depb", "short-lived-token-0123456789", 50*time.Millisecond); err != nil {
			t.Fatal(err)
		}
		want(call(t, srv, "short-lived-token-0123456789", "GET", "/api/v1/tickets", ""), 200)
		time.Sleep(100 * time.Millisecond)
		want(call(t, srv, "short-lived-token-0123456789", "GET", "/api/v1/tickets", ""), 401)
	})

	t.Run("a disabled user's tokens and sessions answer 401 at once", func(t *testing.T) {
		if err := st.CreateSession(ctx, store.NewSession{Token: "sup-session", Username: "sup", CSRFToken: "c",
			TTL: time.Hour, IdleTimeout: time.Hour}); err != nil {
			t.Fatal(err)
		}
		want(call(t, srv, tok("sup"), "GET", "/api/v1/tickets", ""), 200)
		want(cookieCall(t, srv, "sup-session", "GET", "/api/v1/tickets"), 200)
		g := want(call(t, srv, admin, "PATCH", "/api/v1/users/sup", `{"disabled": true}`), 200)
		if !strings.Contains(string(g.body), `"disabled":true`) {
			t.Errorf("patched user: %s", g.body)
		}
		want(call(t, srv, tok("sup"), "GET", "/api/v1/tickets", ""), 401)
		want(cookieCall(t, srv, "sup-session", "GET", "/api/v1/tickets"), 401)
		if _, err := st.UserForLogin(ctx, "sup"); domain.KindOf(err) != domain.KindNotFound {
			t.Errorf("a disabled user can still sign in: %v", err)
		}
		want(call(t, srv, admin, "PATCH", "/api/v1/users/sup", `{"disabled": false}`), 200)
		want(call(t, srv, tok("sup"), "GET", "/api/v1/tickets", ""), 200)
		want(call(t, srv, admin, "PATCH", "/api/v1/users/admin", `{"disabled": true}`), 422) // not oneself
		want(call(t, srv, admin, "PATCH", "/api/v1/users/nobody", `{"disabled": true}`), 404)
		want(call(t, srv, admin, "PATCH", "/api/v1/users/sup", `{}`), 422)
	})

	t.Run("passwords: an admin sets any, a user changes their own", func(t *testing.T) {
		want(call(t, srv, admin, "PATCH", "/api/v1/users/depa", `{"password": "short"}`), 422)
		want(call(t, srv, admin, "PATCH", "/api/v1/users/depa", `{"password": "new-password-1"}`), 200)
		if !passwordIs(t, st, "depa", "new-password-1") {
			t.Fatal("the admin's new password was not stored")
		}
		depa := tok("depa")
		want(call(t, srv, depa, "PATCH", "/api/v1/users/depa", `{"password": "new-password-2"}`), 422) // no current
		want(call(t, srv, depa, "PATCH", "/api/v1/users/depa", `{"password": "new-password-2", "current_password": "wrong"}`), 422)
		want(call(t, srv, depa, "PATCH", "/api/v1/users/depa", `{"password": "new-password-2", "current_password": "new-password-1"}`), 200)
		if !passwordIs(t, st, "depa", "new-password-2") {
			t.Fatal("the user's new password was not stored")
		}
		want(call(t, srv, depa, "PATCH", "/api/v1/users/depb", `{"password": "new-password-3", "current_password": "x"}`), 403)
		want(call(t, srv, depa, "PATCH", "/api/v1/users/depa", `{"disabled": false}`), 403)
		want(call(t, srv, tok("portal"), "PATCH", "/api/v1/users/portal", `{"password": "new-password-3"}`), 403)
	})

	t.Run("the audit log says who did what to whom", func(t *testing.T) {
		want(call(t, srv, tok("sup"), "GET", "/api/v1/audit", ""), 403)
		want(call(t, srv, statsAdmin, "PUT", "/api/v1/calendar/days/2026-12-31", `{"kind": "holiday", "name": "测试"}`), 200)
		g := want(call(t, srv, admin, "GET", "/api/v1/audit?limit=500", ""), 200)
		var out struct {
			Entries []struct {
				At                    time.Time
				Actor, Action, Target string
				Detail                map[string]any
			} `json:"entries"`
			NextCursor *string `json:"next_cursor"`
		}
		decodeInto(t, g.body, &out)
		var seen []string
		for _, e := range out.Entries {
			seen = append(seen, e.Actor+" "+e.Action+" "+e.Target)
		}
		for _, w := range []string{"bootstrap-admin calendar.put calendar:2026-12-31", "admin user.password user:depa",
			"depa user.password user:depa", "admin user.disable user:sup", "admin user.enable user:sup",
			"admin token.revoke user:depa", "admin token.create user:depa"} {
			if !slices.Contains(seen, w) {
				t.Errorf("no audit entry %q in %v", w, seen)
			}
		}
		if strings.Contains(string(g.body), "new-password") {
			t.Errorf("a password is in the audit log")
		}
		if out.Entries[0].Action != "calendar.put" || out.NextCursor != nil {
			t.Errorf("want newest first, one page: %s", g.body)
		}
		var page struct {
			Entries    []map[string]any `json:"entries"`
			NextCursor *string          `json:"next_cursor"`
		}
		decodeInto(t, want(call(t, srv, admin, "GET", "/api/v1/audit?limit=2", ""), 200).body, &page)
		if len(page.Entries) != 2 || page.NextCursor == nil {
			t.Fatalf("limit=2: %+v", page)
		}
		decodeInto(t, want(call(t, srv, admin, "GET", "/api/v1/audit?limit=2&cursor="+*page.NextCursor, ""), 200).body, &page)
		if len(page.Entries) != 2 {
			t.Errorf("second page: %+v", page)
		}
		want(call(t, srv, admin, "GET", "/api/v1/audit?limit=0", ""), 400)
		want(call(t, srv, admin, "GET", "/api/v1/audit?cursor=x", ""), 422)
	})
}

func decodeInto(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func passwordIs(t *testing.T, st *store.Store, username, password string) bool {
	t.Helper()
	_, hash, err := st.GetUser(context.Background(), username)
	if err != nil {
		t.Fatal(err)
	}
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}

// cookieCall calls the API with a browser session cookie instead of a token.
func cookieCall(t *testing.T, srv *httptest.Server, session, method, path string) got {
	t.Helper()
	r := apitest.Client{TB: t, URL: srv.URL}.Do(method, path, "", nil,
		http.Header{"Cookie": {(&http.Cookie{Name: server.SessionCookie, Value: session}).String()}})
	return got{r.Status, r.Header, r.Raw}
}

// TestChannelsCannotBlockOrProbeEachOther: a channel user bound to its channel
// and id prefix submits only those; no one else can take an id in its prefix; a
// channel's retry counts only for its own rating (issue 15, item 13).
func TestChannelsCannotBlockOrProbeEachOther(t *testing.T) {
	srv, st := trustServer(t)
	admin := tok("admin")
	want := func(g got, status int, contains ...string) {
		t.Helper()
		if g.status != status {
			t.Fatalf("status %d, want %d: %s", g.status, status, g.body)
		}
		for _, c := range contains {
			if !strings.Contains(string(g.body), c) {
				t.Errorf("%s lacks %q", g.body, c)
			}
		}
	}
	user := func(name, channel, prefix string) string {
		return `{"username": "` + name + `", "password": "correct-horse-9", "role": "channel", "channel": "` + channel +
			`", "rating_id_prefix": "` + prefix + `"}`
	}
	want(call(t, srv, admin, "POST", "/api/v1/users", user("js-web", "web", "JS-WEB-")), 201, `"rating_id_prefix":"JS-WEB-"`)
	want(call(t, srv, admin, "POST", "/api/v1/users", user("js-kiosk", "kiosk", "JS-KIOSK-")), 201)
	want(call(t, srv, admin, "POST", "/api/v1/users", user("overlap", "web", "JS-")), 409, "prefix_taken")
	want(call(t, srv, admin, "POST", "/api/v1/users", user("longer", "web", "JS-WEB-2026")), 409, "prefix_taken")
	want(call(t, srv, admin, "POST", "/api/v1/users", user("nochannel", "", "NC-")), 422, "rating_id_prefix")
	want(call(t, srv, admin, "POST", "/api/v1/users", `{"username": "d1", "password": "correct-horse-9", "role": "supervisor", "channel": "web"}`), 422, "channel")
	for _, u := range []string{"js-web", "js-kiosk"} {
		if err := st.CreateToken(context.Background(), u, tok(u)); err != nil {
			t.Fatal(err)
		}
	}
	rating := func(id, channel string) string {
		return `{"id": "` + id + `", "channel": "` + channel + `", "level": "satisfied", "department_code": "D-A"}`
	}
	// Another bound channel, an unbound one, and the call center cannot take the id.
	want(call(t, srv, tok("js-kiosk"), "POST", "/api/v1/ratings", rating("JS-WEB-20261125-000123", "kiosk")), 422, `"field":"id"`)
	want(call(t, srv, tok("portal"), "POST", "/api/v1/ratings", rating("JS-WEB-20261125-000123", "web")), 422, "reserved")
	want(call(t, srv, tok("cc"), "POST", "/api/v1/ratings", rating("JS-WEB-20261125-000123", "hotline")), 422, "reserved")
	// The owner's rating is then stored, and its retry is 200.
	want(call(t, srv, tok("js-web"), "POST", "/api/v1/ratings", rating("JS-WEB-20261125-000123", "web")), 201)
	want(call(t, srv, tok("js-web"), "POST", "/api/v1/ratings", rating("JS-WEB-20261125-000123", "web")), 200)
	// A bound channel sends its channel and prefix only.
	want(call(t, srv, tok("js-web"), "POST", "/api/v1/ratings", rating("JS-WEB-2", "kiosk")), 422, `"field":"channel"`)
	want(call(t, srv, tok("js-web"), "POST", "/api/v1/ratings", rating("OTHER-1", "web")), 422, "must begin with JS-WEB-")
	// The batch applies the same rules item by item.
	want(call(t, srv, tok("js-kiosk"), "POST", "/api/v1/ratings/batch", `{"ratings": [`+rating("JS-KIOSK-1", "kiosk")+`,`+
		rating("JS-WEB-3", "kiosk")+`]}`), 200, `"id":"JS-KIOSK-1","status":201`, `"id":"JS-WEB-3","status":422`)
	// Outside any prefix, a channel's same body under another's id is 409, not a 200
	// that would name the stored rating.
	want(call(t, srv, tok("cc"), "POST", "/api/v1/ratings", rating("FREE-1", "hotline")), 201)
	if err := st.CreateUser(context.Background(), domain.User{Username: "portal2", Role: domain.RoleChannel}, "x"); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateToken(context.Background(), "portal2", tok("portal2")); err != nil {
		t.Fatal(err)
	}
	want(call(t, srv, tok("portal"), "POST", "/api/v1/ratings", rating("FREE-2", "web")), 201)
	want(call(t, srv, tok("portal"), "POST", "/api/v1/ratings", rating("FREE-2", "web")), 200)
	want(call(t, srv, tok("portal2"), "POST", "/api/v1/ratings", rating("FREE-2", "web")), 409, "rating_conflict")
}

// TestDepartmentsSeeNoCaseSampling: a department user's call-back figures are
// one ended month at a time, and suppressed under campaigns.MinCases cases; a
// supervisor still sees any days (issue 15, item 15).
func TestDepartmentsSeeNoCaseSampling(t *testing.T) {
	srv, st := trustServer(t)
	now := time.Now().In(stats.Zone)
	thisMonth := time.Date(now.Year(), now.Month(), 1, 12, 0, 0, 0, stats.Zone)
	lastMonth, twoAgo := thisMonth.AddDate(0, -1, 0), thisMonth.AddDate(0, -2, 0)
	var cs []store.NewCase
	add := func(n int, at time.Time, tag string) {
		for i := 0; i < n; i++ {
			no := fmt.Sprintf("CASE-%s-%02d", tag, i)
			h := sha256.Sum256([]byte(no))
			cs = append(cs, store.NewCase{CaseNo: no, ServiceItemCode: "SI-1", ServiceItemName: "营业执照", DepartmentCode: "D-A",
				Channel: "hall", FinishedAt: at.Add(time.Duration(i) * time.Minute), ApplicantName: "申请人",
				ApplicantPhone: fmt.Sprintf("1390000%04d", i), BodyHash: h[:], SubmittedBy: "portal"})
		}
	}
	add(25, twoAgo, "old")
	add(5, lastMonth, "last")
	recent := now.Add(-time.Minute)
	if recent.Month() != now.Month() { // just after midnight on the 1st
		recent = now
	}
	add(3, recent, "now")
	if _, err := campaigns.Intake(context.Background(), st, cs); err != nil {
		t.Fatal(err)
	}
	type figures struct {
		From, To, Granularity string
		Departments           []struct {
			Cases, Picked int
			Coverage      *float64
			Suppressed    bool
		}
	}
	get := func(who, query string) figures {
		t.Helper()
		g := call(t, srv, tok(who), "GET", "/api/v1/stats/callbacks"+query, "")
		if g.status != 200 {
			t.Fatalf("%s %s: %d %s", who, query, g.status, g.body)
		}
		var f figures
		decodeInto(t, g.body, &f)
		return f
	}
	day := func(t time.Time) string { return t.Format(time.DateOnly) }
	monthEnd := func(m time.Time) string { return day(m.AddDate(0, 1, -1)) }

	// Today, or the running month: the last ended month instead, suppressed (5 cases).
	f := get("depa", "?from="+day(now)+"&to="+day(now))
	if f.Granularity != "month" || f.From != day(lastMonth) || f.To != monthEnd(lastMonth) {
		t.Errorf("a department asking for today gets %s..%s by %s, want the whole last month", f.From, f.To, f.Granularity)
	}
	if len(f.Departments) != 1 || f.Departments[0].Cases != 5 || !f.Departments[0].Suppressed || f.Departments[0].Picked != 0 {
		t.Errorf("5 cases: %+v, want the sampling suppressed", f.Departments)
	}
	// An ended month with enough cases is shown whole; a range gives the month of `to`.
	f = get("depa", "?from="+day(twoAgo)+"&to="+day(twoAgo))
	if f.From != day(twoAgo) || f.To != monthEnd(twoAgo) || len(f.Departments) != 1 || f.Departments[0].Cases != 25 ||
		f.Departments[0].Suppressed {
		t.Errorf("month of 25 cases: %+v", f)
	}
	if f = get("depa", "?from="+day(twoAgo)+"&to="+monthEnd(lastMonth)); f.From != day(lastMonth) {
		t.Errorf("a two-month range: %s..%s, want the month of to only", f.From, f.To)
	}
	// Supervisors keep any days.
	f = get("sup", "?from="+day(now)+"&to="+day(now))
	if f.Granularity != "day" || len(f.Departments) != 1 || f.Departments[0].Cases != 3 || f.Departments[0].Suppressed {
		t.Errorf("supervisor, today: %+v", f)
	}
}
