package integration

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"rectify/internal/apitest"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"

	"rectify/workflows"
)

// runID is the run of a rating's workflow; found=false when there is none.
func (a *api) runID(ratingID string) (id string, found bool) {
	a.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d, err := a.sys.Temporal.DescribeWorkflowExecution(ctx, workflows.WorkflowID(ratingID), "")
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return "", false
	}
	if err != nil {
		a.t.Fatalf("describe workflow of %s: %v", ratingID, err)
	}
	return d.GetWorkflowExecutionInfo().GetExecution().GetRunId(), true
}

// Issue 2: idempotent on id. The same rating twice is stored once, answers the
// same, and starts one workflow.
func TestSameRatingTwiceIsStoredOnceWithOneWorkflow(t *testing.T) {
	t.Parallel()
	a, tm := setup(t)
	id := a.id("twice")
	body := reachable(a.rating(id, "very_dissatisfied", deptA))

	first := a.do("POST", "/api/v1/ratings", tm.channel, body).Want(t, http.StatusCreated)
	// The answer does not wait for the start (issue 18): the start queue makes it right after.
	var run1 string
	apitest.Eventually(t, 10*time.Second, "the workflow started after the 201", func() error {
		var ok bool
		if run1, ok = a.runID(id); !ok {
			return fmt.Errorf("no workflow %s", workflows.WorkflowID(id))
		}
		return nil
	})
	second := a.do("POST", "/api/v1/ratings", tm.channel, body).Want(t, http.StatusOK)
	if got, want := second.Object(t), first.Object(t); !reflect.DeepEqual(got, want) {
		t.Fatalf("the repeat answered %v, want the first answer %v", got, want)
	}
	// A retry through another submitter is the same rating too.
	a.do("POST", "/api/v1/ratings", tm.callcenter, body).Want(t, http.StatusOK)

	if n := a.count(`SELECT count(*) FROM ratings WHERE id = $1`, id); n != 1 {
		t.Fatalf("%d rating rows for %s, want 1", n, id)
	}
	if n := a.count(`SELECT count(*) FROM tickets WHERE rating_id = $1`, id); n != 1 {
		t.Fatalf("%d tickets for %s, want 1", n, id)
	}
	if run2, _ := a.runID(id); run2 != run1 {
		t.Fatalf("the workflow's run changed from %s to %s: a second workflow was started", run1, run2)
	}
	// Visibility is eventually consistent: wait for the run to show, then it must be alone.
	query := fmt.Sprintf("WorkflowId = '%s'", workflows.WorkflowID(id))
	apitest.Eventually(t, 10*time.Second, "the workflow in visibility", func() error {
		res, err := a.sys.Temporal.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{Query: query})
		if err != nil {
			return err
		}
		if n := len(res.GetExecutions()); n != 1 {
			return fmt.Errorf("%d executions of %s, want 1", n, workflows.WorkflowID(id))
		}
		return nil
	})
}

// Issue 2: the same id with a different body is 409, and the stored rating stays.
func TestSameIDWithDifferentBodyIsConflict(t *testing.T) {
	t.Parallel()
	a, tm := setup(t)
	id := a.id("conflict")
	body := a.rating(id, "dissatisfied", deptA)
	a.negative(tm.channel, body)

	changed := a.rating(id, "very_satisfied", deptA)
	changed["rated_at"] = body["rated_at"]
	a.do("POST", "/api/v1/ratings", tm.channel, changed).WantError(t, http.StatusConflict, "rating_conflict")
	body["comment"] = body["comment"].(string) + "!"
	a.do("POST", "/api/v1/ratings", tm.channel, body).WantError(t, http.StatusConflict, "rating_conflict")

	var stored struct {
		Level string `json:"level"`
	}
	a.do("GET", "/api/v1/ratings/"+id, admin, nil).Want(t, http.StatusOK).Decode(t, &stored)
	if stored.Level != "dissatisfied" {
		t.Fatalf("stored level %q after the conflicts, want the first one, dissatisfied", stored.Level)
	}
	if n := a.count(`SELECT count(*) FROM tickets WHERE rating_id = $1`, id); n != 1 {
		t.Fatalf("%d tickets for %s, want 1", n, id)
	}
}

// The idempotency key compares content, not bytes: key order and white space are
// not a different body.
func TestKeyOrderAndWhitespaceAreNotConflict(t *testing.T) {
	t.Parallel()
	a, tm := setup(t)
	id := a.id("order")
	compact := `{"id":"` + id + `","channel":"kiosk","level":"very_dissatisfied","department_code":"` + deptA +
		`","aspects":["queueing","result"],"comment":"自助机坏了","citizen":{"name":"李","phone":"13900001111","anonymous":false}}`
	spaced := "{\n\t\"citizen\" : { \"anonymous\": false, \"phone\": \"13900001111\", \"name\": \"李\" },\n" +
		"  \"comment\": \"自助机坏了\",\r\n  \"aspects\": [ \"queueing\", \"result\" ],\n  \"department_code\": \"" + deptA + "\",\n" +
		"  \"level\": \"very_dissatisfied\", \"channel\": \"kiosk\", \"id\": \"" + id + "\"\n}\n"

	var first, second ratingView
	a.do("POST", "/api/v1/ratings", tm.channel, compact).Want(t, http.StatusCreated).Decode(t, &first)
	a.do("POST", "/api/v1/ratings", tm.channel, spaced).Want(t, http.StatusOK).Decode(t, &second)
	if first != second || first.TicketNumber == "" {
		t.Fatalf("answers %+v then %+v, want the same ticket twice", first, second)
	}
	if n := a.count(`SELECT count(*) FROM tickets WHERE rating_id = $1`, id); n != 1 {
		t.Fatalf("%d tickets for %s, want 1", n, id)
	}
}

// Issue 2: validation errors are 422 with the field named, and nothing is stored.
func TestInvalidRatingIs422NamingTheField(t *testing.T) {
	t.Parallel()
	a, tm := setup(t)
	cases := []struct {
		name  string
		field string
		edit  func(map[string]any)
	}{
		{"bad level", "level", func(r map[string]any) { r["level"] = "awful" }},
		{"missing level", "level", func(r map[string]any) { delete(r, "level") }},
		{"bad channel", "channel", func(r map[string]any) { r["channel"] = "fax" }},
		{"missing department_code", "department_code", func(r map[string]any) { delete(r, "department_code") }},
		{"future rated_at", "rated_at", func(r map[string]any) { r["rated_at"] = time.Now().Add(time.Hour).Format(time.RFC3339) }},
		{"unknown aspect", "aspects[1]", func(r map[string]any) { r["aspects"] = []string{"queueing", "parking"} }},
		{"repeated aspect", "aspects[1]", func(r map[string]any) { r["aspects"] = []string{"guide", "guide"} }},
		{"bad region_code", "region_code", func(r map[string]any) { r["region_code"] = "32" }},
		{"bad phone", "citizen.phone", func(r map[string]any) {
			r["citizen"] = map[string]any{"name": "王", "phone": "call me", "anonymous": false}
		}},
		{"missing id", "id", func(r map[string]any) { r["id"] = "" }},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := a.with(t)
			id := a.id(fmt.Sprintf("invalid-%d", i))
			body := a.rating(id, "very_dissatisfied", deptA)
			c.edit(body)
			a.do("POST", "/api/v1/ratings", tm.channel, body).WantError(t, http.StatusUnprocessableEntity, "invalid_rating", c.field)
			if n := a.count(`SELECT count(*) FROM ratings`); n != 0 {
				t.Fatalf("%d ratings stored after a refused one", n)
			}
		})
	}
	t.Run("several fields at once", func(t *testing.T) {
		a := a.with(t)
		body := a.rating(a.id("invalid-many"), "awful", "")
		body["channel"] = "fax"
		a.do("POST", "/api/v1/ratings", tm.channel, body).WantError(t, http.StatusUnprocessableEntity, "invalid_rating", "level", "channel", "department_code")
	})
	t.Run("400 for what is not a rating at all", func(t *testing.T) {
		a := a.with(t)
		a.do("POST", "/api/v1/ratings", tm.channel, `{"id": "x", `).WantError(t, http.StatusBadRequest, "malformed_json")
		a.do("POST", "/api/v1/ratings", tm.channel, `{"id": 7}`).WantError(t, http.StatusBadRequest, "malformed_json", "id")
		body := a.rating(a.id("unknown-field"), "dissatisfied", deptA)
		body["mood"] = "grumpy"
		a.do("POST", "/api/v1/ratings", tm.channel, body).WantError(t, http.StatusBadRequest, "unknown_field", "mood")
	})
	t.Run("403 for a department submitting", func(t *testing.T) {
		a := a.with(t)
		a.do("POST", "/api/v1/ratings", tm.deptA, a.rating(a.id("by-dept"), "satisfied", deptA)).WantError(t, http.StatusForbidden, "forbidden")
	})
}

// Issue 2: an unregistered department is accepted; the ticket waits in
// pending_dispatch until the call center dispatches it.
func TestUnknownDepartmentWaitsForDispatch(t *testing.T) {
	t.Parallel()
	a, tm := setup(t)
	id := a.id("unknown-dept")
	number := a.negative(tm.channel, a.rating(id, "very_dissatisfied", deptUnknown))

	tk := a.ticket(tm.callcenter, number)
	if tk.Status != "pending_dispatch" || tk.DepartmentCode != "" || tk.DueAt != nil {
		t.Fatalf("right after the 201: %s, want pending_dispatch with no department and no deadline", tk)
	}
	tk = a.opened(tm.callcenter, number)
	if tk.Events[0].Type != "opened" || tk.Status != "pending_dispatch" {
		t.Fatalf("after the workflow opened: %s, want pending_dispatch with an opened event", tk)
	}
	a.do("GET", "/api/v1/tickets/"+number, tm.deptA, nil).WantError(t, http.StatusNotFound, "not_found")
	a.act(tm.deptA, number, "sign", nil).WantError(t, http.StatusNotFound, "not_found")
	a.act(tm.callcenter, number, "dispatch", map[string]any{"department_code": deptUnknown}).WantError(t, http.StatusUnprocessableEntity, "invalid_action", "department_code")
	a.act(tm.callcenter, number, "dispatch", nil).WantError(t, http.StatusUnprocessableEntity, "invalid_action", "department_code")

	tk = a.mustAct(tm.callcenter, number, "dispatch", map[string]any{"department_code": deptA, "note": "按事项归属派至市场监管"})
	last := tk.Events[len(tk.Events)-1]
	if tk.Status != "awaiting_sign" || tk.DepartmentCode != deptA || tk.DueAt == nil ||
		last.Type != "dispatched" || last.Actor != tm.callcenterUser {
		t.Fatalf("after dispatch: %s (last event %+v), want awaiting_sign at %s with a deadline, dispatched by %s",
			tk, last, deptA, tm.callcenterUser)
	}
	if tk = a.mustAct(tm.deptA, number, "sign", nil); tk.Status != "rectifying" {
		t.Fatalf("the department signs the dispatched ticket: %s", tk)
	}
}

// A positive rating is stored and opens nothing.
func TestPositiveRatingHasNoTicket(t *testing.T) {
	t.Parallel()
	a, tm := setup(t)
	id := a.id("positive")
	r := a.do("POST", "/api/v1/ratings", tm.channel, reachable(a.rating(id, "basically_satisfied", deptA))).Want(t, http.StatusCreated)
	got := r.Object(t)
	if want := map[string]any{"id": id, "negative": false}; !reflect.DeepEqual(got, want) {
		t.Fatalf("answer %v, want %v (no ticket_number)", got, want)
	}
	stored := a.do("GET", "/api/v1/ratings/"+id, tm.supervisor, nil).Want(t, http.StatusOK)
	if m := stored.Object(t); m["negative"] != false || m["ticket_number"] != nil {
		t.Fatalf("stored rating %v: want negative=false and no ticket_number", m)
	}
	if strings.Contains(string(stored.Raw), "13812345678") {
		t.Fatalf("a supervisor sees the full phone: %s", stored.Raw)
	}
	if n := a.count(`SELECT count(*) FROM tickets`); n != 0 {
		t.Fatalf("%d tickets after a positive rating", n)
	}
	if _, found := a.runID(id); found {
		t.Fatalf("a workflow runs for positive rating %s", id)
	}
}
