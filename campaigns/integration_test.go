package campaigns_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"rectify/campaigns"
	"rectify/internal/testdb"
	"rectify/store"
	"rectify/workflows"
)

func TestCaseIntakeIsIdempotent(t *testing.T) {
	a := setup(t)
	c1 := a.kase("1", deptA, "item-1", "13812341234", time.Hour)
	a.do("POST", "/api/v1/cases", a.channel, c1).Want(a.t, http.StatusCreated)
	a.do("POST", "/api/v1/cases", a.channel, c1).Want(a.t, http.StatusOK)
	changed := a.kase("1", deptA, "item-2", "13812341234", time.Hour)
	a.do("POST", "/api/v1/cases", a.channel, changed).WantError(a.t, http.StatusConflict, "case_conflict")
	a.do("POST", "/api/v1/cases", a.channel, map[string]any{"case_no": "x"}).
		WantError(a.t, http.StatusUnprocessableEntity, "invalid_case", "service_item_code", "department_code", "finished_at")
	future := a.kase("f", deptA, "item-1", "", -time.Hour)
	a.do("POST", "/api/v1/cases", a.channel, future).WantError(a.t, http.StatusUnprocessableEntity, "invalid_case", "finished_at")
	a.do("POST", "/api/v1/cases", a.callcenter, c1).WantError(a.t, http.StatusForbidden, "forbidden")

	c2, c3 := a.kase("2", deptA, "item-1", "13900000002", time.Hour), a.kase("3", deptB, "item-1", "", 2*time.Hour)
	var out struct {
		Results []struct {
			CaseNo string `json:"case_no"`
			Status int    `json:"status"`
		} `json:"results"`
	}
	a.do("POST", "/api/v1/cases/batch", a.channel, map[string]any{"cases": []any{
		c2, c2, c1, changed, map[string]any{"case_no": "bad"}, c3,
	}}).Want(a.t, http.StatusOK).Decode(a.t, &out)
	want := []int{201, 200, 200, 409, 422, 201}
	if len(out.Results) != len(want) {
		t.Fatalf("%d results, want %d", len(out.Results), len(want))
	}
	for i, r := range out.Results {
		if r.Status != want[i] {
			t.Errorf("result %d (%s): status %d, want %d", i, r.CaseNo, r.Status, want[i])
		}
	}
	// The same batch again stores nothing new.
	a.do("POST", "/api/v1/cases/batch", a.channel, map[string]any{"cases": []any{c2, c3}}).Want(a.t, http.StatusOK).Decode(a.t, &out)
	for _, r := range out.Results {
		if r.Status != http.StatusOK {
			t.Errorf("%s again: status %d, want 200", r.CaseNo, r.Status)
		}
	}
	if n := a.count(`SELECT count(*) FROM cases`); n != 3 {
		t.Errorf("%d cases stored, want 3", n)
	}
}

// savedRules saves the default rules as change alters them, as the supervisor.
func savedRules(t *testing.T, st *store.Store, change func(*campaigns.Rules)) campaigns.Rules {
	t.Helper()
	rules := campaigns.Default()
	change(&rules)
	rules, err := campaigns.SaveRules(context.Background(), st, rules, nil, "sup")
	if err != nil {
		t.Fatal(err)
	}
	return rules
}

// TestSamplingIsDeterministicAndCapped drives the store the campaign activity uses,
// on its own database (no campaign workflow releasing on the real clock).
func TestSamplingIsDeterministicAndCapped(t *testing.T) {
	ctx := context.Background()
	st := testdb.New(t)
	rules := savedRules(t, st, func(r *campaigns.Rules) {
		r.DefaultShare = 0.3
		r.AlwaysCallItems = []string{"always"}
		r.Teams = []campaigns.Team{{Code: "police", DailyCap: 5, DepartmentCodes: []string{deptB}}, {Code: "main", DailyCap: 1000}}
	})
	finished := at("2026-03-01 10:00")
	var cs []store.NewCase
	for i := range 300 {
		cs = append(cs, store.NewCase{CaseNo: fmt.Sprintf("A-%03d", i), ServiceItemCode: "item", DepartmentCode: deptA,
			FinishedAt: finished.Add(time.Duration(i) * time.Minute), ApplicantPhone: fmt.Sprintf("138%08d", i), BodyHash: []byte{1}})
	}
	for i := range 12 { // always called, for the police team with a cap of 5 a day
		cs = append(cs, store.NewCase{CaseNo: fmt.Sprintf("B-%03d", i), ServiceItemCode: "always", DepartmentCode: deptB,
			FinishedAt: finished.Add(time.Duration(i) * time.Minute), ApplicantPhone: fmt.Sprintf("139%08d", i), BodyHash: []byte{1}})
	}
	if _, err := campaigns.Intake(ctx, st, cs); err != nil {
		t.Fatal(err)
	}
	sampled := func() map[string]bool {
		rows, err := st.Pool().Query(ctx, `SELECT case_no FROM cases WHERE sampled`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		m := map[string]bool{}
		for rows.Next() {
			var no string
			_ = rows.Scan(&no)
			m[no] = true
		}
		return m
	}
	first := sampled()
	// The stored decisions are the pure rule's: any process computes the same.
	for _, c := range cs {
		if want := rules.Picks(c.CaseNo, c.DepartmentCode, c.ServiceItemCode); first[c.CaseNo] != want {
			t.Errorf("case %s sampled=%v, the rules say %v", c.CaseNo, first[c.CaseNo], want)
		}
	}
	if n := len(first) - 12; n < 60 || n > 120 {
		t.Errorf("%d of 300 sampled at 30%%", n)
	}
	// A re-run (the same cases reported again, under newer rules) changes nothing.
	if _, err := campaigns.SaveRules(ctx, st, campaigns.Default(), nil, "sup"); err != nil {
		t.Fatal(err)
	}
	if out, err := campaigns.Intake(ctx, st, cs); err != nil || out[0] != store.Duplicate {
		t.Fatalf("again: %v, %v", out, err)
	}
	if again := sampled(); len(again) != len(first) {
		t.Errorf("re-run sampled %d, first run %d", len(again), len(first))
	}

	// Releases: the police team takes 5 a day, however often the release runs.
	day1, day2 := at("2026-03-02 10:00"), at("2026-03-03 10:00")
	release := func(now time.Time) store.ReleaseSummary {
		t.Helper()
		sum, err := campaigns.ReleaseCallbacks(ctx, st, rules, now, shanghai)
		if err != nil {
			t.Fatal(err)
		}
		return sum
	}
	police := func() int { return count(t, st, `SELECT count(*) FROM callbacks WHERE team = 'police'`) }
	release(day1)
	release(day1.Add(time.Hour))
	if n := police(); n != 5 {
		t.Errorf("police released %d on day 1, want its cap of 5", n)
	}
	if n := count(t, st, `SELECT count(*) FROM callbacks WHERE team = 'main'`); n != len(first)-12 {
		t.Errorf("main released %d, want every sampled case (%d)", n, len(first)-12)
	}
	release(day2)
	if n := police(); n != 10 {
		t.Errorf("police released %d by day 2, want 10", n)
	}
	// Oldest first: day 1 took B-000..B-004.
	if n := count(t, st, `SELECT count(*) FROM callbacks WHERE release_day = '2026-03-02' AND case_no IN ('B-000','B-001','B-002','B-003','B-004')`); n != 5 {
		t.Errorf("day 1 released %d of the five oldest police cases", n)
	}
	if n := count(t, st, `SELECT count(*) - count(DISTINCT case_no) FROM callbacks`); n != 0 {
		t.Errorf("%d cases released twice", n)
	}
}

func TestReleaseSkipsRatedCasesAndRecentlyCalledCitizens(t *testing.T) {
	ctx := context.Background()
	st := testdb.New(t)
	rules := savedRules(t, st, func(r *campaigns.Rules) { r.DefaultShare = 1 })
	finished := at("2026-03-01 10:00")
	nc := func(no, phone string) store.NewCase {
		return store.NewCase{CaseNo: no, ServiceItemCode: "item", DepartmentCode: deptA, FinishedAt: finished,
			ApplicantPhone: phone, BodyHash: []byte{1}}
	}
	// Rated before it came in: never waits.
	rate(t, st, "R-before", "rated-1")
	if _, err := campaigns.Intake(ctx, st, []store.NewCase{nc("rated-1", "1"), nc("rated-2", "2"), nc("same-a", "3"),
		nc("same-b", "3"), nc("nophone", "")}); err != nil {
		t.Fatal(err)
	}
	// Rated after sampling, before release: skipped at release.
	rate(t, st, "R-after", "rated-2")
	if _, err := campaigns.ReleaseCallbacks(ctx, st, rules, at("2026-03-02 10:00"), shanghai); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	rows, _ := st.Pool().Query(ctx, `SELECT case_no, status || ':' || skip_reason FROM cases`)
	for rows.Next() {
		var no, s string
		_ = rows.Scan(&no, &s)
		got[no] = s
	}
	rows.Close()
	want := map[string]string{"rated-1": "skipped:rated", "rated-2": "skipped:rated", "same-a": "released:",
		"same-b": "skipped:recently_called", "nophone": "skipped:unreachable"}
	for no, w := range want {
		if got[no] != w {
			t.Errorf("%s: %s, want %s", no, got[no], w)
		}
	}

	// Rated after release: taken out of the queue at the next release. Never
	// called, it is as if skipped; called once already, it is cancelled.
	if _, err := campaigns.Intake(ctx, st, []store.NewCase{nc("called", "9")}); err != nil {
		t.Fatal(err)
	}
	if _, err := campaigns.ReleaseCallbacks(ctx, st, rules, at("2026-03-02 11:00"), shanghai); err != nil {
		t.Fatal(err)
	}
	var calledID int64
	if err := st.Pool().QueryRow(ctx, `SELECT id FROM callbacks WHERE case_no = 'called'`).Scan(&calledID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.LogCallAttempt(ctx, store.NewCallAttempt{CallbackID: calledID, CalledBy: "cc",
		At: at("2026-03-02 11:05")}); err != nil {
		t.Fatal(err)
	}
	rate(t, st, "R-late-a", "same-a")
	rate(t, st, "R-late-c", "called")
	if _, err := campaigns.ReleaseCallbacks(ctx, st, rules, at("2026-03-02 12:00"), shanghai); err != nil {
		t.Fatal(err)
	}
	if n := count(t, st, `SELECT count(*) FROM callbacks WHERE case_no = 'same-a'`); n != 0 {
		t.Errorf("same-a: still %d call-backs after its citizen rated it", n)
	}
	if n := count(t, st, `SELECT count(*) FROM cases WHERE case_no = 'same-a' AND status = 'skipped' AND skip_reason = 'rated'`); n != 1 {
		t.Error("same-a is not skipped as rated")
	}
	if n := count(t, st, `SELECT count(*) FROM callbacks WHERE case_no = 'called' AND status = 'cancelled' AND attempts = 1`); n != 1 {
		t.Error("called: not cancelled with its call kept")
	}
}

func rate(t *testing.T, st *store.Store, id, caseNo string) {
	t.Helper()
	r := store.NewRating{BodyHash: []byte{1}}
	r.ID, r.Channel, r.Level, r.RatedAt, r.DepartmentCode, r.CaseNo = id, "web", "satisfied", time.Now(), deptA, caseNo
	r.Aspects = []string{}
	if _, err := st.CreateRatings(context.Background(), []store.NewRating{r}); err != nil {
		t.Fatal(err)
	}
}

func count(t *testing.T, st *store.Store, query string) int {
	t.Helper()
	var n int
	if err := st.Pool().QueryRow(context.Background(), query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// callbackView is a call-back as the API shows it.
type callbackView struct {
	ID           int64  `json:"id"`
	CaseNo       string `json:"case_no"`
	Status       string `json:"status"`
	Attempts     int    `json:"attempts"`
	RatingID     string `json:"rating_id"`
	TicketNumber string `json:"ticket_number"`
	Negative     bool   `json:"negative"`
	Applicant    struct {
		Phone string `json:"phone"`
	} `json:"applicant"`
}

type queueView struct {
	Callbacks     []callbackView `json:"callbacks"`
	CallingWindow struct {
		Open bool `json:"open"`
	} `json:"calling_window"`
}

// TestCallBackFlow runs the whole feature on a real system: the campaign workflow
// (started by the system itself) releases the cases, the call center works the
// queue, and a negative answer opens exactly one ticket.
func TestCallBackFlow(t *testing.T) {
	a := setup(t)
	ctx := context.Background()
	// Call every case of item "survey", at any hour of any day, so the test does
	// not depend on when it runs; no pause between unanswered calls.
	rules := map[string]any{"default_share": 0, "always_call_items": []string{"survey"},
		"calling_hours": map[string]string{"start": "00:00", "end": "24:00"}, "call_on_non_working_days": true,
		"retry_after_minutes": 0}
	a.do("PUT", "/api/v1/sampling-rules", a.callcenter, rules).WantError(a.t, http.StatusForbidden, "forbidden")
	a.do("PUT", "/api/v1/sampling-rules", a.supervisor, map[string]any{"default_share": 2}).
		WantError(a.t, http.StatusUnprocessableEntity, "invalid_sampling_rules", "default_share")
	a.do("PUT", "/api/v1/sampling-rules", a.supervisor, rules).Want(a.t, http.StatusOK)
	a.do("PUT", "/api/v1/sampling-rules", a.supervisor, map[string]any{"version": 0, "default_share": 0.5}).
		WantError(a.t, http.StatusConflict, "rules_changed")

	// A citizen who rated by themselves is not called; a case outside the sample is not either.
	a.do("POST", "/api/v1/ratings", a.channel, map[string]any{"id": a.prefix + "-self", "channel": "web",
		"level": "satisfied", "department_code": deptA, "case_no": a.prefix + "-rated"}).Want(a.t, http.StatusCreated)
	for _, c := range []map[string]any{
		a.kase("neg", deptA, "survey", "13800000001", 3*time.Hour), // oldest: first in the queue
		a.kase("gone", deptA, "survey", "13800000002", 2*time.Hour),
		a.kase("pos", deptA, "survey", "13800000003", time.Hour),
		a.kase("rated", deptA, "survey", "13800000004", time.Hour),
		a.kase("other", deptA, "other", "13800000005", time.Hour),
	} {
		a.do("POST", "/api/v1/cases", a.channel, c).Want(a.t, http.StatusCreated)
	}

	q := a.waitQueue(3)
	for i, want := range []string{"neg", "gone", "pos"} {
		if q.Callbacks[i].CaseNo != a.prefix+"-"+want {
			t.Fatalf("queue[%d] = %s, want %s (oldest first)", i, q.Callbacks[i].CaseNo, want)
		}
	}
	if !q.CallingWindow.Open || q.Callbacks[0].Applicant.Phone != "13800000001" {
		t.Errorf("call center view: window %+v, phone %q", q.CallingWindow, q.Callbacks[0].Applicant.Phone)
	}
	var sup queueView
	a.do("GET", "/api/v1/callbacks", a.supervisor, nil).Want(a.t, http.StatusOK).Decode(a.t, &sup)
	if p := sup.Callbacks[0].Applicant.Phone; p != "138****0001" {
		t.Errorf("supervisor sees phone %q, want it masked", p)
	}
	neg, gone, pos := q.Callbacks[0], q.Callbacks[1], q.Callbacks[2]
	// Every full number shown is audited; masked ones are not.
	if n := a.count(`SELECT count(*) FROM phone_reveals WHERE case_no = $1 AND username = 'cc-li'`, neg.CaseNo); n == 0 {
		t.Error("the call center saw the full number with no phone_reveals row")
	}
	if n := a.count(`SELECT count(*) FROM phone_reveals WHERE username = 'sup-wang'`); n != 0 {
		t.Errorf("%d reveal rows for a supervisor who saw masked numbers", n)
	}

	// The negative answer: one rating, one ticket, however often it is logged.
	answer := map[string]any{"reached": true, "level": "very_dissatisfied", "aspects": []string{"attitude"},
		"comment": "窗口态度差"}
	logPath := fmt.Sprintf("/api/v1/callbacks/%d/log", neg.ID)
	a.do("POST", logPath, a.supervisor, answer).WantError(a.t, http.StatusForbidden, "forbidden")
	a.do("POST", logPath, a.callcenter, map[string]any{"reached": true}).WantError(a.t, http.StatusUnprocessableEntity, "invalid_call", "level")
	var got callbackView
	a.do("POST", logPath, a.callcenter, answer).Want(a.t, http.StatusOK).Decode(a.t, &got)
	if got.Status != "reached" || !got.Negative || got.TicketNumber == "" || got.RatingID != campaigns.CallbackRatingID(neg.CaseNo) {
		t.Fatalf("logged: %+v", got)
	}
	var again callbackView
	a.do("POST", logPath, a.callcenter, answer).Want(a.t, http.StatusOK).Decode(a.t, &again)
	if again.TicketNumber != got.TicketNumber {
		t.Errorf("logged again: ticket %s, first %s", again.TicketNumber, got.TicketNumber)
	}
	answer["level"] = "satisfied"
	a.do("POST", logPath, a.callcenter, answer).WantError(a.t, http.StatusConflict, "callback_conflict")
	if n := a.count(`SELECT count(*) FROM tickets WHERE rating_id = $1`, got.RatingID); n != 1 {
		t.Fatalf("%d tickets for the call-back's rating, want exactly 1", n)
	}
	var rating struct {
		Channel string `json:"channel"`
		CaseNo  string `json:"case_no"`
	}
	a.do("GET", "/api/v1/ratings/"+got.RatingID, a.supervisor, nil).Want(a.t, http.StatusOK).Decode(a.t, &rating)
	if rating.Channel != "hotline" || rating.CaseNo != neg.CaseNo {
		t.Errorf("rating %+v, want a hotline rating of case %s", rating, neg.CaseNo)
	}
	// The ticket is in the ordinary flow: its workflow dispatched it to the department.
	var ticket struct {
		Status         string `json:"status"`
		DepartmentCode string `json:"department_code"`
	}
	a.waitFor("the ticket's workflow to dispatch it", func() bool {
		a.do("GET", "/api/v1/tickets/"+got.TicketNumber, a.supervisor, nil).Want(a.t, http.StatusOK).Decode(a.t, &ticket)
		return ticket.Status == "awaiting_sign"
	})

	// Three unanswered calls drop a case; a retried log of the same call is no new call.
	gonePath := fmt.Sprintf("/api/v1/callbacks/%d/log", gone.ID)
	var goneGot callbackView
	for n := 1; n <= 3; n++ {
		a.do("POST", gonePath, a.callcenter, map[string]any{"reached": false, "attempt": n, "note": "无人接听"}).Want(a.t, http.StatusOK)
		a.do("POST", gonePath, a.callcenter, map[string]any{"reached": false, "attempt": n}).Want(a.t, http.StatusOK).Decode(a.t, &goneGot)
		if goneGot.Attempts != n {
			t.Fatalf("after call %d logged twice: %d attempts", n, goneGot.Attempts)
		}
	}
	if goneGot.Status != "dropped" || goneGot.RatingID != "" {
		t.Fatalf("after three unanswered calls: %+v, want dropped", goneGot)
	}
	a.do("POST", gonePath, a.callcenter, map[string]any{"reached": false}).WantError(a.t, http.StatusConflict, "callback_closed")
	a.do("POST", gonePath, a.callcenter, map[string]any{"reached": true, "level": "satisfied"}).
		WantError(a.t, http.StatusConflict, "callback_closed")

	// A satisfied answer is a rating without a ticket.
	var posGot callbackView
	a.do("POST", fmt.Sprintf("/api/v1/callbacks/%d/log", pos.ID), a.callcenter,
		map[string]any{"reached": true, "level": "satisfied"}).Want(a.t, http.StatusOK).Decode(a.t, &posGot)
	if posGot.Status != "reached" || posGot.TicketNumber != "" || posGot.RatingID == "" {
		t.Errorf("satisfied answer: %+v, want reached with a rating and no ticket", posGot)
	}
	a.do("GET", "/api/v1/callbacks", a.callcenter, nil).Want(a.t, http.StatusOK).Decode(a.t, &q)
	if len(q.Callbacks) != 0 {
		t.Errorf("queue still has %d call-backs", len(q.Callbacks))
	}

	// The figures: coverage, reach rate, and satisfaction beside self-submitted ratings.
	var stats struct {
		Departments []campaigns.Figures `json:"departments"`
	}
	a.do("GET", "/api/v1/stats/callbacks", a.callcenter, nil).WantError(a.t, http.StatusForbidden, "forbidden")
	a.do("GET", "/api/v1/stats/callbacks?from=yesterday", a.supervisor, nil).WantError(a.t, http.StatusBadRequest, "bad_parameter", "from")
	a.do("GET", "/api/v1/stats/callbacks?from=2026-03-02&to=2026-03-01", a.supervisor, nil).
		WantError(a.t, http.StatusBadRequest, "bad_parameter", "to")
	a.do("GET", "/api/v1/stats/callbacks", a.supervisor, nil).Want(a.t, http.StatusOK).Decode(a.t, &stats)
	if len(stats.Departments) != 1 {
		t.Fatalf("stats for %d departments, want 1", len(stats.Departments))
	}
	f := stats.Departments[0]
	if f.Cases != 5 || f.Sampled != 3 || f.Skipped != 1 || f.Called != 3 || f.Reached != 2 || f.Dropped != 1 {
		t.Errorf("figures %+v", f)
	}
	if f.Coverage == nil || *f.Coverage != 1 || f.ReachRate == nil || *f.ReachRate != 0.6667 {
		t.Errorf("coverage %v, reach rate %v; want 1 and 0.6667", f.Coverage, f.ReachRate)
	}
	if f.CalledBack.Ratings != 2 || *f.CalledBack.SatisfactionRate != 0.5 || f.SelfSubmitted.Ratings != 1 ||
		*f.SelfSubmitted.SatisfactionRate != 1 {
		t.Errorf("called back %+v, self-submitted %+v", f.CalledBack, f.SelfSubmitted)
	}
	// Department staff see their own department's figures, not another's, and only
	// for a month that has ended: this month's cases are not in them.
	staffA, staffB := a.client().User(admin, "staff-a", "department", deptA), a.client().User(admin, "staff-b", "department", deptB)
	a.do("GET", "/api/v1/stats/callbacks", staffA, nil).Want(a.t, http.StatusOK).Decode(a.t, &stats)
	if len(stats.Departments) != 0 {
		t.Errorf("department A's staff see this month's sampling: %+v", stats.Departments)
	}
	a.do("GET", "/api/v1/stats/callbacks", staffB, nil).Want(a.t, http.StatusOK).Decode(a.t, &stats)
	if len(stats.Departments) != 0 {
		t.Errorf("department B's staff see %+v", stats.Departments)
	}
	a.do("GET", "/api/v1/stats/callbacks?department_code="+deptA, staffB, nil).WantError(a.t, http.StatusForbidden, "forbidden")

	// The campaign is one workflow per deployment: starting it again finds it.
	id := workflows.CampaignWorkflowID(a.sys.Config.Temporal.TaskQueue)
	d1, err := a.sys.Temporal.DescribeWorkflowExecution(ctx, id, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.sys.StartCampaign(ctx); err != nil {
		t.Fatal(err)
	}
	d2, err := a.sys.Temporal.DescribeWorkflowExecution(ctx, id, "")
	if err != nil {
		t.Fatal(err)
	}
	if r1, r2 := d1.WorkflowExecutionInfo.Execution.RunId, d2.WorkflowExecutionInfo.Execution.RunId; r1 != r2 {
		t.Errorf("starting the campaign again made run %s beside %s", r2, r1)
	}
}

// waitQueue wakes the campaign until the call center's queue holds n call-backs.
func (a *api) waitQueue(n int) queueView {
	a.t.Helper()
	var q queueView
	id := workflows.CampaignWorkflowID(a.sys.Config.Temporal.TaskQueue)
	a.waitFor(fmt.Sprintf("%d call-backs in the queue", n), func() bool {
		// The campaign may not have started yet: then the signal fails and we retry.
		_ = a.sys.Temporal.SignalWorkflow(context.Background(), id, "", workflows.SignalCampaignWake, nil)
		a.do("GET", "/api/v1/callbacks", a.callcenter, nil).Want(a.t, http.StatusOK).Decode(a.t, &q)
		return len(q.Callbacks) >= n
	})
	if len(q.Callbacks) != n {
		a.t.Fatalf("queue has %d call-backs, want %d", len(q.Callbacks), n)
	}
	return q
}

func (a *api) waitFor(what string, ok func() bool) {
	a.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			a.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
