package faults

import (
	"context"
	"encoding/base64"
	"net/http"
	"testing"
	"time"

	"rectify/config"
	"rectify/domain"
)

// followUp takes a new negative rating to following_up and returns its ticket
// number and the survey token from its SMS.
func (p *inproc) followUp(t *testing.T, id, phone string) (number, token string) {
	t.Helper()
	body := `{"id":"` + id + `","channel":"mobile","level":"dissatisfied","department_code":"` + dept +
		`","citizen":{"name":"王五","phone":"` + phone + `","anonymous":false}}`
	ans := p.api.do(context.Background(), http.MethodPost, "/api/v1/ratings", p.channel, []byte(body))
	if ans.Status != http.StatusCreated {
		t.Fatalf("rating %s: %d %s", id, ans.Status, ans.Body)
	}
	number = ans.Ticket
	p.api.must(t, http.MethodPost, "/api/v1/tickets/"+number+"/sign", p.department, map[string]any{}, http.StatusOK)
	p.api.must(t, http.MethodPost, "/api/v1/tickets/"+number+"/resolve", p.department, map[string]any{"report": "已整改"}, http.StatusOK)
	return number, p.surveyLink(t, number)
}

func (p *inproc) ticket(t *testing.T, number string) domain.Ticket {
	t.Helper()
	tk, err := p.Store.GetTicket(context.Background(), number)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// TestSurveyTokens: a survey link's token is 256 random bits, stored only as a
// hash, works once, works only for its own ticket and round, and cannot be
// forged by changing a character.
func TestSurveyTokens(t *testing.T) {
	p := newInproc(t, nil)
	a, b := "SURVEY-A", "SURVEY-B"
	na, ta := p.followUp(t, a, "13900000011")
	nb, tb := p.followUp(t, b, "13900000012")

	for _, tok := range []string{ta, tb} {
		raw, err := base64.RawURLEncoding.Strict().DecodeString(tok)
		if err != nil || len(raw) != 32 {
			t.Errorf("token %.4s…: %d bytes (err %v), want 32 random bytes", tok, len(raw), err)
		}
	}
	if ta == tb {
		t.Fatal("two tickets got the same token")
	}
	// At rest only its SHA-256 (survey_tokens has no other column that could hold it).
	var hashed int
	if err := p.Store.Pool().QueryRow(context.Background(), `
		SELECT count(*) FROM survey_tokens WHERE ticket_number = $1 AND token_hash = sha256(convert_to($2, 'UTF8'))`,
		na, ta).Scan(&hashed); err != nil || hashed != 1 {
		t.Errorf("survey_tokens: %d rows keyed by the token's SHA-256 (err %v), want 1", hashed, err)
	}

	// A forged token (one character changed) is gone, and changes nothing.
	forged := []byte(ta)
	forged[0] ^= 1
	p.api.must(t, http.MethodPost, "/api/v1/surveys/"+string(forged), "", map[string]any{"level": "satisfied"}, http.StatusGone)

	// A's token answers A, and only A.
	eventsB := len(p.ticket(t, nb).Events)
	p.api.must(t, http.MethodPost, "/api/v1/surveys/"+ta, "", map[string]any{"level": "dissatisfied", "comment": "还是没解决"}, http.StatusOK)
	if ga := p.ticket(t, na); ga.Status != domain.StatusAwaitingSign || ga.Round != 2 {
		t.Errorf("ticket A after its citizen's answer: %s round %d, want awaiting_sign round 2", ga.Status, ga.Round)
	}
	if gb := p.ticket(t, nb); gb.Status != domain.StatusFollowingUp || len(gb.Events) != eventsB {
		t.Errorf("ticket B after A's answer: %s with %d events, want following_up with %d (untouched)", gb.Status, len(gb.Events), eventsB)
	}
	// Single use.
	p.api.must(t, http.MethodPost, "/api/v1/surveys/"+ta, "", map[string]any{"level": "satisfied"}, http.StatusGone)

	// Round 2 gets a new token; round 1's stays dead.
	p.api.must(t, http.MethodPost, "/api/v1/tickets/"+na+"/sign", p.department, map[string]any{}, http.StatusOK)
	p.api.must(t, http.MethodPost, "/api/v1/tickets/"+na+"/resolve", p.department, map[string]any{"report": "第二轮整改"}, http.StatusOK)
	var ta2 string
	if err := waitFor(context.Background(), func() (bool, string) {
		ta2 = p.latestSurveyToken(t, na)
		return ta2 != "" && ta2 != ta, "no round-2 survey SMS"
	}); err != nil {
		t.Fatal(err)
	}
	p.api.must(t, http.MethodPost, "/api/v1/surveys/"+ta, "", map[string]any{"level": "satisfied"}, http.StatusGone)
	p.api.must(t, http.MethodPost, "/api/v1/surveys/"+ta2, "", map[string]any{"level": "satisfied"}, http.StatusOK)
	p.api.must(t, http.MethodPost, "/api/v1/surveys/"+tb, "", map[string]any{"level": "satisfied"}, http.StatusOK)
	for _, n := range []string{na, nb} {
		if g := p.ticket(t, n); g.Status != domain.StatusClosed || g.Resolution != domain.ResolutionSatisfied {
			t.Errorf("ticket %s: %s/%s, want closed/satisfied", n, g.Status, g.Resolution)
		}
	}
	// A closed ticket's link is dead too.
	p.api.must(t, http.MethodPost, "/api/v1/surveys/"+tb, "", map[string]any{"level": "dissatisfied"}, http.StatusGone)
	p.logs.assertNoPhones(t)
}

// TestSurveyTokenExpires: a link past survey.ttl is gone, though its round is
// still open.
func TestSurveyTokenExpires(t *testing.T) {
	p := newInproc(t, nil, func(c *config.Config) { c.Survey.TTL = 2 * time.Second })
	n, tok := p.followUp(t, "SURVEY-EXPIRES", "13900000013")
	var exp time.Time
	if err := p.Store.Pool().QueryRow(context.Background(), `SELECT expires_at FROM survey_tokens WHERE ticket_number = $1`, n).Scan(&exp); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Until(exp) + 100*time.Millisecond)
	p.api.must(t, http.MethodPost, "/api/v1/surveys/"+tok, "", map[string]any{"level": "satisfied"}, http.StatusGone)
	if g := p.ticket(t, n); g.Status != domain.StatusFollowingUp {
		t.Errorf("ticket after an expired answer: %s, want following_up (unchanged)", g.Status)
	}
}

// latestSurveyToken is the token of the ticket's newest survey SMS handed to the
// gateway, or "".
func (p *inproc) latestSurveyToken(t *testing.T, number string) string {
	t.Helper()
	ns := p.inbox.Messages(number) // oldest first
	for i := len(ns) - 1; i >= 0; i-- {
		if ns[i].Kind == "survey" {
			if m := surveyPath.FindStringSubmatch(ns[i].Body); m != nil {
				return m[1]
			}
		}
	}
	return ""
}
