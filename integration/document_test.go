package integration

import (
	"net/http"
	"net/url"
	"testing"
)

// Issue 16 item 10: the document says an action's body is optional, so an action
// without fields (sign) is taken with no body at all, as {}; an action with
// fields sent no body answers 422 naming them, not 400 malformed_json.
func TestActionWithoutBody(t *testing.T) {
	t.Parallel()
	a, tm := setup(t)
	number := a.negative(tm.channel, a.rating(a.id("nobody"), "very_dissatisfied", deptA))
	a.dispatched(tm.deptA, number)
	path := "/api/v1/tickets/" + url.PathEscape(number) + "/"

	a.do("POST", path+"urge", tm.supervisor, nil).WantError(t, http.StatusUnprocessableEntity, "invalid_action", "note")
	r := a.do("POST", path+"sign", tm.deptA, nil).Want(t, http.StatusOK)
	var tk ticketView
	r.Decode(t, &tk)
	if tk.Status != "rectifying" {
		t.Fatalf("after a bodiless sign: %s, want rectifying", tk)
	}
}
