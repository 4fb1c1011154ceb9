package faults

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"rectify/activities"
	"rectify/domain"
	"rectify/internal/testdb"
	"rectify/notify"
	"rectify/store"
)

// errHalfway is what the hook returns: the write committed, the answer is lost.
var errHalfway = errors.New("faults: failed after the write committed")

// failOnce returns an AfterWrite hook that fails the first attempt of every
// transition (ticket, event seq) once, after its write committed, and counts them.
func failOnce() (func(context.Context, activities.Change) error, func() int) {
	var (
		mu   sync.Mutex
		seen = map[string]bool{}
	)
	hook := func(_ context.Context, ch activities.Change) error {
		mu.Lock()
		defer mu.Unlock()
		key := fmt.Sprintf("%s#%d", ch.Ticket.Number, ch.Event.Seq)
		if seen[key] {
			return nil
		}
		seen[key] = true
		return errHalfway
	}
	count := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(seen)
	}
	return hook, count
}

// TestApplyRetriedAfterCommit calls activities.Apply for the same transitions
// twice, the first attempt failing after its commit as a crash would, and checks
// that the retry added nothing: one event, one message per key, one survey token,
// and the SMS link is the token that is stored.
func TestApplyRetriedAfterCommit(t *testing.T) {
	ctx := context.Background()
	st := testdb.New(t)
	number := newTicket(t, st, "HALF-1", "13900000001")
	hook, failures := failOnce()
	acts := storeActivities(st, hook)

	now := time.Now().UTC().Truncate(time.Microsecond)
	ticket := domain.Ticket{Number: number, RatingID: "HALF-1", Status: domain.StatusAwaitingSign, DepartmentCode: dept,
		Round: 1, StageStartedAt: &now, DueAt: &now, CreatedAt: now, UpdatedAt: now}
	changes := []activities.Change{
		{Event: domain.Event{Seq: 1, Type: "dispatched", Actor: "system", At: now, Round: 1, DepartmentCode: dept},
			Notices: []activities.Notice{{Kind: activities.NoticeDispatched}}},
		{Event: domain.Event{Seq: 2, Type: "urged", Actor: "sup", At: now, Round: 1, DepartmentCode: dept, Note: "快"},
			Notices: []activities.Notice{{Kind: activities.NoticeUrged}}},
		{Event: domain.Event{Seq: 3, Type: "resolved", Actor: "scjg", At: now, Round: 1, DepartmentCode: dept, Note: "已整改"},
			SendSurvey: true},
	}
	statuses := []domain.Status{domain.StatusAwaitingSign, domain.StatusAwaitingSign, domain.StatusFollowingUp}
	for i, ch := range changes {
		ticket.Version, ticket.Status = i+1, statuses[i]
		ch.Ticket = ticket
		if err := acts.Apply(ctx, ch); !errors.Is(err, errHalfway) {
			t.Fatalf("%s: first attempt: got %v, want the injected failure", ch.Event.Type, err)
		}
		for attempt := 2; attempt <= 3; attempt++ { // the retry, and one more for good measure
			if err := acts.Apply(ctx, ch); err != nil {
				t.Fatalf("%s: attempt %d: %v", ch.Event.Type, attempt, err)
			}
		}
	}
	if got := failures(); got != len(changes) {
		t.Fatalf("failed %d transitions half-way, want %d", got, len(changes))
	}

	got, err := st.GetTicket(ctx, number)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, e := range got.Events {
		types = append(types, e.Type)
	}
	if want := []string{"dispatched", "urged", "resolved"}; !slices.Equal(types, want) {
		t.Errorf("events: got %v, want %v", types, want)
	}
	if got.Status != domain.StatusFollowingUp {
		t.Errorf("status: got %s, want following_up", got.Status)
	}
	ns, err := st.ListNotifications(ctx, number, 100)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, n := range ns {
		kinds[n.Kind+"/"+n.Channel]++
	}
	// Nothing delivers here, so the unsent SMS still holds its link (the listing does not show it).
	var body, link string
	if err := st.Pool().QueryRow(ctx, `SELECT body FROM notifications WHERE ticket_number = $1 AND kind = 'survey'`, number).Scan(&body); err != nil {
		t.Fatal(err)
	}
	if m := surveyPath.FindStringSubmatch(body); m != nil {
		link = m[1]
	}
	if want := map[string]int{"dispatched/department": 1, "urged/department": 1, "survey/sms": 1}; fmt.Sprint(kinds) != fmt.Sprint(want) {
		t.Errorf("notifications: got %v, want %v", kinds, want)
	}
	var tokens int
	if err := st.Pool().QueryRow(ctx, `SELECT count(*) FROM survey_tokens WHERE ticket_number = $1`, number).Scan(&tokens); err != nil {
		t.Fatal(err)
	}
	if tokens != 1 {
		t.Errorf("survey tokens: got %d, want 1", tokens)
	}
	info, err := st.LookupSurveyToken(ctx, activities.HashSurveyToken(link))
	if err != nil || info.TicketNumber != number || info.Used {
		t.Errorf("the SMS link's token: got %+v, %v; want the stored, unused token of %s", info, err, number)
	}
}

// TestActivityFailsHalfwayEndToEnd runs a ticket from rating to the citizen's
// answer while every transition's write fails once after committing. The
// workflow retries each; every API call still answers 200, and the trail holds
// each event, message and survey token exactly once.
func TestActivityFailsHalfwayEndToEnd(t *testing.T) {
	hook, failures := failOnce()
	sys := newInproc(t, hook)
	a := sys.api
	body := `{"id":"HALFWAY-1","channel":"hall","level":"very_dissatisfied","department_code":"` + dept +
		`","comment":"材料被退回三次","citizen":{"name":"李四","phone":"13912345678","anonymous":false}}`
	ans := a.do(context.Background(), http.MethodPost, "/api/v1/ratings", sys.channel, []byte(body))
	if ans.Status != http.StatusCreated || ans.Ticket == "" {
		t.Fatalf("rating: got %d %s, want 201 with a ticket", ans.Status, ans.Body)
	}
	n := ans.Ticket
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := waitFor(ctx, func() (bool, string) {
		t, err := sys.Store.GetTicket(ctx, n)
		return err == nil && len(t.Events) == 1, "the dispatched event is not written"
	}); err != nil {
		t.Fatal(err)
	}
	a.must(t, http.MethodPost, "/api/v1/tickets/"+n+"/sign", sys.department, map[string]any{}, http.StatusOK)
	a.must(t, http.MethodPost, "/api/v1/tickets/"+n+"/urge", sys.supervisor, map[string]any{"note": "请尽快"}, http.StatusOK)
	a.must(t, http.MethodPost, "/api/v1/tickets/"+n+"/resolve", sys.department, map[string]any{"report": "已简化材料清单"}, http.StatusOK)
	token := sys.surveyLink(t, n)
	a.must(t, http.MethodPost, "/api/v1/surveys/"+token, "", map[string]any{"level": "satisfied"}, http.StatusOK)
	// Single use: the same link again is gone.
	a.must(t, http.MethodPost, "/api/v1/surveys/"+token, "", map[string]any{"level": "dissatisfied"}, http.StatusGone)

	got, err := sys.Store.GetTicket(ctx, n)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for i, e := range got.Events {
		types = append(types, e.Type)
		if e.Seq != i+1 {
			t.Errorf("event %d has seq %d: the trail has a gap or a repeat", i, e.Seq)
		}
	}
	if want := []string{"dispatched", "signed", "urged", "resolved", "survey_answered"}; !slices.Equal(types, want) {
		t.Errorf("events: got %v, want %v", types, want)
	}
	if got.Status != domain.StatusClosed || got.Resolution != domain.ResolutionSatisfied {
		t.Errorf("ticket: got %s/%s, want closed/satisfied", got.Status, got.Resolution)
	}
	if f := failures(); f != len(types) {
		t.Errorf("transitions failed half-way: got %d, want %d (each once)", f, len(types))
	}
	ns, err := sys.Store.ListNotifications(ctx, n, 100)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, m := range ns {
		kinds[m.Kind+"/"+m.Channel]++
	}
	if want := map[string]int{"dispatched/department": 1, "urged/department": 1, "survey/sms": 1}; fmt.Sprint(kinds) != fmt.Sprint(want) {
		t.Errorf("notifications: got %v, want %v", kinds, want)
	}
	var tokens int
	if err := sys.Store.Pool().QueryRow(ctx, `SELECT count(*) FROM survey_tokens WHERE ticket_number = $1`, n).Scan(&tokens); err != nil {
		t.Fatal(err)
	}
	if tokens != 1 {
		t.Errorf("survey tokens: got %d, want 1", tokens)
	}
	t.Logf("FIGURES ActivityFailsHalfway: transitions=%d failed_after_commit=%d events=%d notifications=%d survey_tokens=%d duplicates=0",
		len(types), failures(), len(got.Events), len(ns), tokens)
	sys.logs.assertNoPhones(t)
}

// newTicket stores a negative real-name rating with its ticket, straight into
// the store (no workflow), and returns the ticket's number.
// storeActivities are activities on st with no worker around them, rendering
// links to https://rectify.example with an hour's survey; afterWrite becomes
// Activities.AfterWrite.
func storeActivities(st *store.Store, afterWrite func(context.Context, activities.Change) error) *activities.Activities {
	return &activities.Activities{Store: st, Render: notify.Renderer{BaseURL: "https://rectify.example", Zone: time.UTC},
		SurveyTTL: time.Hour, AfterWrite: afterWrite}
}

func newTicket(t *testing.T, st *store.Store, id, phone string) string {
	t.Helper()
	ctx := context.Background()
	if err := st.UpsertDepartment(ctx, domain.Department{Code: dept, Name: "南京市市场监督管理局"}); err != nil {
		t.Fatal(err)
	}
	res, err := st.CreateRatings(ctx, []store.NewRating{{Rating: domain.Rating{ID: id, Channel: domain.Channel("web"),
		Level: domain.Level("dissatisfied"), RatedAt: time.Now(), DepartmentCode: dept, Aspects: []string{},
		Citizen: &domain.Citizen{Name: "张三", Phone: phone}, Negative: true}, BodyHash: []byte(id)}})
	if err != nil {
		t.Fatal(err)
	}
	return res[0].Ticket.Number
}
