package integration

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// resolved takes a fresh reachable negative rating to following_up and returns its
// ticket number.
func (a *api) resolved(tm team, name, report string) string {
	a.t.Helper()
	number := a.negative(tm.channel, reachable(a.rating(a.id(name), "very_dissatisfied", deptA)))
	a.mustAct(tm.deptA, number, "sign", nil)
	tk := a.mustAct(tm.deptA, number, "resolve", map[string]any{"report": report})
	if tk.Status != "following_up" || tk.DueAt == nil || tk.CallTask {
		a.t.Fatalf("resolved real-name ticket: %s, want following_up with the survey deadline", tk)
	}
	return number
}

// Issue 3: a real-name rating with a phone gets an SMS survey after resolve; the
// citizen answers on the page of its link, which closes the ticket; the link then
// is gone (410), as is any link that never was.
func TestSurveyAnsweredByTokenClosesTicket(t *testing.T) {
	t.Parallel()
	a, tm := setup(t)
	report := "已在大厅增设引导员并公示办事流程"
	number := a.resolved(tm, "survey", report)
	tok := a.surveyToken(number, 1)
	for _, n := range a.notifications(number) {
		if n.Channel == "sms" && n.Recipient != "138****5678" {
			t.Errorf("SMS recipient listed as %q, want it masked as 138****5678", n.Recipient)
		}
	}

	page := a.do("GET", "/s/"+tok, "", nil).Want(t, http.StatusOK)
	if ct := page.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("survey page Content-Type %q, want text/html", ct)
	}
	if body := string(page.Raw); !strings.Contains(body, number) || !strings.Contains(body, report) {
		t.Errorf("survey page does not show the ticket and the department's report:\n%s", body)
	}

	a.do("POST", "/api/v1/surveys/"+tok, "", map[string]any{"level": "superb"}).WantError(t, http.StatusUnprocessableEntity, "invalid_survey", "level")
	a.do("POST", "/api/v1/surveys/"+tok, "", map[string]any{"level": "satisfied", "comment": "现在好多了"}).Want(t, http.StatusOK)
	tk := a.ticket(tm.supervisor, number)
	last := tk.Events[len(tk.Events)-1]
	if tk.Status != "closed" || tk.resolution() != "satisfied" || last.Type != "survey_answered" || last.Actor != "citizen" {
		t.Fatalf("after the satisfied answer: %s (last event %+v), want closed as satisfied by the citizen's survey", tk, last)
	}

	closed := len(tk.Events)
	a.do("POST", "/api/v1/surveys/"+tok, "", map[string]any{"level": "very_dissatisfied"}).WantError(t, http.StatusGone, "survey_gone")
	a.do("GET", "/s/"+tok, "", nil).Want(t, http.StatusGone)
	for _, bad := range []string{"garbage", strings.Repeat("A", 43), tok[:42] + "x"} {
		a.do("POST", "/api/v1/surveys/"+bad, "", map[string]any{"level": "satisfied"}).WantError(t, http.StatusGone, "survey_gone")
		a.do("GET", "/s/"+bad, "", nil).Want(t, http.StatusGone)
	}
	if tk := a.ticket(tm.supervisor, number); len(tk.Events) != closed || tk.resolution() != "satisfied" {
		t.Fatalf("used and bad tokens changed the ticket: %s", tk)
	}
}

// An unsatisfied survey answer sends the ticket back to the same department for
// the next round, whose survey has a new link; the old one is gone.
func TestUnsatisfiedSurveyAnswerStartsNextRound(t *testing.T) {
	t.Parallel()
	a, tm := setup(t)
	number := a.resolved(tm, "survey-reopen", "已电话致歉")
	tok1 := a.surveyToken(number, 1)
	a.do("POST", "/api/v1/surveys/"+tok1, "", map[string]any{"level": "dissatisfied", "comment": "只道歉不解决"}).Want(t, http.StatusOK)

	tk := a.ticket(tm.deptA, number)
	if tk.Status != "awaiting_sign" || tk.Round != 2 || tk.DepartmentCode != deptA || tk.DueAt == nil {
		t.Fatalf("after the unsatisfied answer: %s, want round 2 awaiting_sign at %s with a sign deadline", tk, deptA)
	}
	a.do("POST", "/api/v1/surveys/"+tok1, "", map[string]any{"level": "satisfied"}).WantError(t, http.StatusGone, "survey_gone")

	a.mustAct(tm.deptA, number, "sign", nil)
	a.mustAct(tm.deptA, number, "resolve", map[string]any{"report": "已调整窗口排班"})
	tok2 := a.surveyToken(number, 2)
	if tok2 == tok1 {
		t.Fatal("round 2's survey reuses round 1's link")
	}
	a.do("POST", "/api/v1/surveys/"+tok1, "", map[string]any{"level": "satisfied"}).WantError(t, http.StatusGone, "survey_gone")
	a.do("POST", "/api/v1/surveys/"+tok2, "", map[string]any{"level": "very_satisfied"}).Want(t, http.StatusOK)
	if tk := a.ticket(tm.deptA, number); tk.Status != "closed" || tk.resolution() != "satisfied" || tk.Round != 2 {
		t.Fatalf("after round 2's answer: %s, want closed as satisfied in round 2", tk)
	}
}

// Issue 3: raters who cannot be reached close as no_followup once resolved, and no
// SMS goes out.
func TestUnreachableRaterClosesAsNoFollowupOnResolve(t *testing.T) {
	t.Parallel()
	a, tm := setup(t)
	for _, c := range []struct {
		name    string
		citizen map[string]any
	}{
		{"anonymous", map[string]any{"phone": "13812345678", "anonymous": true}},
		{"real name without phone", map[string]any{"name": "赵", "anonymous": false}},
		{"no citizen", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := a.with(t)
			body := a.rating(a.id("nofollowup-"+strings.ReplaceAll(c.name, " ", "-")), "dissatisfied", deptA)
			if c.citizen != nil {
				body["citizen"] = c.citizen
			}
			number := a.negative(tm.channel, body)
			a.mustAct(tm.deptA, number, "sign", nil)
			tk := a.mustAct(tm.deptA, number, "resolve", map[string]any{"report": "已整改"})
			if tk.Status != "closed" || tk.resolution() != "no_followup" || tk.ClosedAt == nil {
				t.Fatalf("resolved: %s, want closed as no_followup", tk)
			}
			if hasNotification(a.notifications(number), "survey", "sms") {
				t.Fatal("a survey SMS went to a rater who cannot be followed up")
			}
		})
	}
}

// Issue 3 in compressed time: an unanswered survey becomes a call task after two
// working days; three failed calls close the ticket as unreachable.
func TestUnansweredSurveyBecomesCallTaskThenUnreachable(t *testing.T) {
	t.Parallel()
	a, tm := setup(t, compressed(day))
	number := a.resolved(tm, "survey-timeout", "已整改")
	tk := a.ticket(tm.callcenter, number)
	start, due := *tk.StageStartedAt, *tk.DueAt
	if want := onCompressedClock(start, a.deadline(start, 2)); !near(due, want) {
		t.Fatalf("survey due_at %s, want %s: 2 working days from %s on the compressed clock", due, want, start)
	}

	tk = a.waitTicket(tm.callcenter, number, "the call task", time.Until(due)+10*time.Second, func(v ticketView) bool { return v.CallTask })
	expired, ok := tk.event("survey_expired")
	if tk.Status != "following_up" || !ok || expired.At.Before(due.Add(-5*time.Millisecond)) || tk.DueAt != nil || tk.Overdue {
		t.Fatalf("after the survey deadline: %s, want following_up with a call task, no deadline, not overdue", tk)
	}

	for attempt := 1; attempt <= 3; attempt++ {
		tk = a.mustAct(tm.callcenter, number, "log_call", map[string]any{"reached": false, "note": "无人接听"})
		last := tk.Events[len(tk.Events)-1]
		if tk.CallAttempts != attempt || last.Type != "call_logged" || last.Actor != tm.callcenterUser {
			t.Fatalf("failed call %d: %s (last event %+v)", attempt, tk, last)
		}
		if attempt < 3 && tk.Status != "following_up" {
			t.Fatalf("after %d failed calls: %s, want still following_up", attempt, tk)
		}
	}
	if tk.Status != "closed" || tk.resolution() != "unreachable" {
		t.Fatalf("after 3 failed calls: %s, want closed as unreachable", tk)
	}
}

// A round the call center answered by phone is over: its survey link, never
// used and not yet expired, no longer shows the form nor takes an answer, even
// once the next round is back at the survey stage (issue 15 item 11: it rendered
// the form, 200, and an answer silently re-showed it).
func TestOldRoundSurveyLinkIsGone(t *testing.T) {
	t.Parallel()
	a, tm := setup(t)
	number := a.resolved(tm, "survey-old-round", "已电话致歉")
	tok1 := a.surveyToken(number, 1)
	a.mustAct(tm.callcenter, number, "log_call", map[string]any{"reached": true, "level": "dissatisfied", "note": "电话回访不满意"})
	gone := func(when string) {
		t.Helper()
		page := a.do("GET", "/s/"+tok1, "", nil)
		if page.Status != http.StatusGone || !strings.Contains(string(page.Raw), "该评价链接已失效") {
			t.Errorf("%s: GET /s/{round 1 token}: %d, want 410 saying 该评价链接已失效", when, page.Status)
		}
		res, err := http.PostForm(a.sys.URL+"/s/"+tok1, url.Values{"level": {"satisfied"}})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusGone || !strings.Contains(string(b), "该评价链接已失效") {
			t.Errorf("%s: the page's form posted to round 1's link: %d, want 410 saying 该评价链接已失效", when, res.StatusCode)
		}
		a.do("POST", "/api/v1/surveys/"+tok1, "", map[string]any{"level": "satisfied"}).WantError(t, http.StatusGone, "survey_gone")
	}
	gone("round 2 awaiting sign")
	a.mustAct(tm.deptA, number, "sign", nil)
	a.mustAct(tm.deptA, number, "resolve", map[string]any{"report": "已调整窗口排班"})
	tok2 := a.surveyToken(number, 2)
	gone("round 2 at its survey")
	a.do("GET", "/s/"+tok2, "", nil).Want(t, http.StatusOK)
	if tk := a.ticket(tm.deptA, number); tk.Status != "following_up" || tk.Round != 2 {
		t.Fatalf("round 1's link changed the ticket: %s", tk)
	}
}
