package server_test

import (
	"context"
	"crypto/sha256"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"rectify/calendar"
	"rectify/domain"
	"rectify/internal/testenv"
	"rectify/server"
	"rectify/store"
)

// trustServer is the API (no Temporal) on a fresh database with departments D-A
// and D-B and one user of each role; each user's bearer token is tok(username).
func trustServer(t *testing.T) (*httptest.Server, *store.Store) {
	t.Helper()
	st, _ := testenv.NewDatabase(t)
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
