package integration

import (
	"fmt"
	"net/http"
	"testing"
)

type batchResult struct {
	ID           string     `json:"id"`
	Status       int        `json:"status"`
	TicketNumber string     `json:"ticket_number"`
	Error        *errorBody `json:"error"`
}

type errorBody struct {
	Code   string `json:"code"`
	Fields []struct {
		Field string `json:"field"`
	} `json:"fields"`
}

// Issue 2: a batch with mixed valid and invalid items answers each one, in input
// order; valid ones are stored even when others are refused.
func TestBatchAnswersEachItemInOrder(t *testing.T) {
	t.Parallel()
	a, tm := setup(t)
	earlier := a.rating(a.id("b-earlier"), "dissatisfied", deptA)
	a.negative(tm.channel, earlier)
	resent := a.rating(a.id("b-resent"), "dissatisfied", deptB)
	resentTicket := a.negative(tm.channel, resent)

	fresh := reachable(a.rating(a.id("b-fresh"), "very_dissatisfied", deptA))
	freshChanged := a.rating(a.id("b-fresh"), "dissatisfied", deptB)
	earlierChanged := a.rating(a.id("b-earlier"), "satisfied", deptA)
	positive := a.rating(a.id("b-positive"), "very_satisfied", deptA)
	unknown := a.rating(a.id("b-unknown-dept"), "dissatisfied", deptUnknown)
	invalid := a.rating(a.id("b-invalid"), "awful", deptA)
	noID := a.rating("", "dissatisfied", deptA)

	items := []struct {
		body   any
		id     string
		status int
		ticket bool // a ticket number is expected
		code   string
		field  string
	}{
		{fresh, a.id("b-fresh"), 201, true, "", ""},
		{invalid, a.id("b-invalid"), 422, false, "invalid_rating", "level"},
		{fresh, a.id("b-fresh"), 200, true, "", ""},                            // repeated within the batch
		{earlierChanged, a.id("b-earlier"), 409, false, "rating_conflict", ""}, // conflicts with a stored one
		{positive, a.id("b-positive"), 201, false, "", ""},
		{freshChanged, a.id("b-fresh"), 409, false, "rating_conflict", ""}, // conflicts within the batch
		{resent, a.id("b-resent"), 200, true, "", ""},                      // a stored one, resent
		{noID, "", 422, false, "invalid_rating", "id"},
		{unknown, a.id("b-unknown-dept"), 201, true, "", ""},
		{map[string]any{"id": a.id("b-typed"), "level": 5}, a.id("b-typed"), 422, false, "malformed_json", "level"},
		// after a conflicting repeat, the stored body again is a plain resend
		{earlier, a.id("b-earlier"), 200, true, "", ""},
	}
	var in []any
	for _, it := range items {
		in = append(in, it.body)
	}
	var out struct {
		Results []batchResult `json:"results"`
	}
	a.do("POST", "/api/v1/ratings/batch", tm.channel, map[string]any{"ratings": in}).Want(t, http.StatusOK).Decode(t, &out)
	if len(out.Results) != len(items) {
		t.Fatalf("%d results for %d items", len(out.Results), len(items))
	}
	for i, it := range items {
		got := out.Results[i]
		if got.ID != it.id || got.Status != it.status || (got.TicketNumber != "") != it.ticket {
			t.Errorf("item %d: got %+v, want id %q status %d ticket %v", i, got, it.id, it.status, it.ticket)
			continue
		}
		switch {
		case it.code == "" && got.Error != nil:
			t.Errorf("item %d: unexpected error %+v", i, *got.Error)
		case it.code != "" && (got.Error == nil || got.Error.Code != it.code):
			t.Errorf("item %d: error %+v, want code %s", i, got.Error, it.code)
		case it.field != "" && (len(got.Error.Fields) == 0 || got.Error.Fields[0].Field != it.field):
			t.Errorf("item %d: error %+v, want field %s named", i, got.Error, it.field)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	if out.Results[0].TicketNumber != out.Results[2].TicketNumber {
		t.Errorf("a repeat within the batch got ticket %s, the first %s", out.Results[2].TicketNumber, out.Results[0].TicketNumber)
	}
	if out.Results[6].TicketNumber != resentTicket {
		t.Errorf("the resent stored rating got ticket %s, want its own %s", out.Results[6].TicketNumber, resentTicket)
	}
	for _, c := range []struct {
		query string
		arg   string
		want  int
	}{
		{`SELECT count(*) FROM ratings WHERE id = $1`, a.id("b-fresh"), 1},
		{`SELECT count(*) FROM tickets WHERE rating_id = $1`, a.id("b-fresh"), 1},
		{`SELECT count(*) FROM tickets WHERE rating_id = $1`, a.id("b-earlier"), 1},
		{`SELECT count(*) FROM tickets WHERE rating_id = $1`, a.id("b-resent"), 1},
		{`SELECT count(*) FROM ratings WHERE id = $1 AND level = 'dissatisfied'`, a.id("b-earlier"), 1},
		{`SELECT count(*) FROM ratings WHERE id = $1`, a.id("b-positive"), 1},
		{`SELECT count(*) FROM tickets WHERE rating_id = $1`, a.id("b-positive"), 0},
		{`SELECT count(*) FROM ratings WHERE id = $1`, a.id("b-invalid"), 0},
		{`SELECT count(*) FROM ratings WHERE id = $1`, a.id("b-typed"), 0},
	} {
		if got := a.count(c.query, c.arg); got != c.want {
			t.Errorf("%s [%s] = %d, want %d", c.query, c.arg, got, c.want)
		}
	}
	// The negatives' tickets exist and their workflows run.
	if tk := a.opened(tm.deptA, out.Results[0].TicketNumber); tk.Status != "awaiting_sign" || tk.DepartmentCode != deptA {
		t.Errorf("batch ticket: %s, want awaiting_sign at %s", tk, deptA)
	}
	if tk := a.opened(tm.callcenter, out.Results[8].TicketNumber); tk.Status != "pending_dispatch" {
		t.Errorf("batch ticket of an unknown department: %s, want pending_dispatch", tk)
	}
}

// A batch over 1000 items is refused whole, before anything is stored.
func TestBatchOver1000Is422(t *testing.T) {
	t.Parallel()
	a, tm := setup(t)
	in := make([]any, 1001)
	for i := range in {
		in[i] = a.rating(a.id(fmt.Sprintf("big-%04d", i)), "satisfied", deptA)
	}
	a.do("POST", "/api/v1/ratings/batch", tm.channel, map[string]any{"ratings": in}).WantError(t, http.StatusUnprocessableEntity, "invalid_batch", "ratings")
	if n := a.count(`SELECT count(*) FROM ratings`); n != 0 {
		t.Fatalf("%d ratings stored from a refused batch", n)
	}
	// Exactly 1000 is fine.
	var out struct {
		Results []batchResult `json:"results"`
	}
	a.do("POST", "/api/v1/ratings/batch", tm.channel, map[string]any{"ratings": in[:1000]}).Want(t, http.StatusOK).Decode(t, &out)
	if len(out.Results) != 1000 || out.Results[999].Status != http.StatusCreated {
		t.Fatalf("a batch of 1000: %d results, last %+v", len(out.Results), out.Results[len(out.Results)-1])
	}
}

// Malformed JSON is 400, not a partial batch.
func TestBatchMalformedJSONIs400(t *testing.T) {
	t.Parallel()
	a, tm := setup(t)
	for _, body := range []string{
		`{"ratings": [{"id": "x", "level": "satisfied"}`,
		`{"ratings": {"id": "x"}}`,
		`[{"id": "x"}]`,
		`{"ratings": []} trailing`,
	} {
		a.do("POST", "/api/v1/ratings/batch", tm.channel, body).WantError(t, http.StatusBadRequest, "malformed_json")
	}
	a.do("POST", "/api/v1/ratings/batch", tm.channel, `{}`).WantError(t, http.StatusUnprocessableEntity, "invalid_batch", "ratings")
	if n := a.count(`SELECT count(*) FROM ratings`); n != 0 {
		t.Fatalf("%d ratings stored from malformed batches", n)
	}
}
