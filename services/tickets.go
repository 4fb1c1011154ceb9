package services

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"

	"rectify/domain"
	"rectify/store"
	"rectify/workflows"
)

// Get is one ticket with its events, if u may see it (domain.User.SeesTicket);
// a ticket u may not see is not found.
func (s *Tickets) Get(ctx context.Context, u domain.User, number string) (domain.Ticket, error) {
	t, err := s.Store.GetTicket(ctx, number)
	if err != nil {
		return t, err
	}
	if !u.SeesTicket(t.DepartmentCode) {
		return domain.Ticket{}, domain.ErrNotFound
	}
	return t, nil
}

// List pages through the tickets u may see (domain.User.TicketScope): a
// department asking for another department's tickets gets none.
func (s *Tickets) List(ctx context.Context, u domain.User, f store.TicketFilter) (ts []domain.Ticket, next string, err error) {
	if dept, all := u.TicketScope(); !all {
		if f.DepartmentCode != "" && f.DepartmentCode != dept {
			return []domain.Ticket{}, "", nil
		}
		f.DepartmentCode = dept
	}
	ts, next, err = s.Store.ListTickets(ctx, f)
	if ts == nil {
		ts = []domain.Ticket{}
	}
	return ts, next, err
}

// ActionInput is the union of the action bodies of API.md's table; a nil field
// was not sent. Which action takes which field is domain.ActionRules'.
type ActionInput struct {
	DepartmentCode *string       `json:"department_code"`
	Note           *string       `json:"note"`
	Reason         *string       `json:"reason"`
	Report         *string       `json:"report"`
	WorkingDays    *int          `json:"working_days"`
	Approve        *bool         `json:"approve"`
	Uphold         *bool         `json:"uphold"`
	Comment        *string       `json:"comment"`
	Reached        *bool         `json:"reached"`
	Level          *domain.Level `json:"level"`
	// IdempotencyKey makes the action safe to repeat (API.md, Additions): the
	// same key with the same ticket, action and fields answers the first answer
	// and acts once. Empty: no protection.
	IdempotencyKey string `json:"-"`
}

// field is one of the input's fields: its name, whether it was sent, and its
// value (text for a text or level field, on for a bool field).
type field struct {
	name string
	set  bool
	text string
	on   bool
}

// fields are the input's fields in the order a refusal names them.
func (in ActionInput) fields() []field {
	str := func(name string, p *string) field {
		if p == nil {
			return field{name: name}
		}
		return field{name: name, set: true, text: *p}
	}
	flag := func(name string, p *bool) field { return field{name: name, set: p != nil, on: isTrue(p)} }
	lvl := field{name: "level", set: in.Level != nil}
	if lvl.set {
		lvl.text = string(*in.Level)
	}
	return []field{str("department_code", in.DepartmentCode), str("note", in.Note), str("reason", in.Reason),
		str("report", in.Report), {name: "working_days", set: in.WorkingDays != nil}, flag("approve", in.Approve),
		flag("uphold", in.Uphold), str("comment", in.Comment), flag("reached", in.Reached), lvl}
}

func (in ActionInput) field(name string) field {
	for _, f := range in.fields() {
		if f.name == name {
			return f
		}
	}
	panic("services: ActionInput has no field " + name) // the table names a field this struct lacks
}

// Set sets the named field from its text form, as a page's form sends it: a
// bool is true for "true" and false for anything else, a number is left unset
// when it does not parse (and is then reported missing if required).
func (in *ActionInput) Set(name, v string) {
	text := &v
	on := v == "true"
	switch name {
	case "department_code":
		in.DepartmentCode = text
	case "note":
		in.Note = text
	case "reason":
		in.Reason = text
	case "report":
		in.Report = text
	case "comment":
		in.Comment = text
	case "level":
		l := domain.Level(v)
		in.Level = &l
	case "working_days":
		if n, err := strconv.Atoi(v); err == nil {
			in.WorkingDays = &n
		}
	case "approve":
		in.Approve = &on
	case "uphold":
		in.Uphold = &on
	case "reached":
		in.Reached = &on
	default:
		panic("services: ActionInput has no field " + name)
	}
}

func isTrue(p *bool) bool { return p != nil && *p }

// request checks the input against the action's row of the table (fields it
// does not take, required fields, levels) and turns it into the workflow's
// ActionRequest; the state rules are the workflow's.
func (in ActionInput) request(rule domain.ActionRule, actor domain.Actor) (workflows.ActionRequest, error) {
	q := workflows.ActionRequest{Actor: actor}
	var fs []domain.FieldError
	for _, f := range in.fields() {
		if _, takes := rule.Field(f.name); f.set && !takes {
			fs = append(fs, domain.FieldError{Field: f.name, Message: "not taken by " + rule.Name})
		}
	}
	required := func(name string) { fs = append(fs, domain.FieldError{Field: name, Message: "required"}) }
	for _, rf := range rule.Fields {
		v := in.field(rf.Name)
		switch rf.Type {
		case domain.FieldText:
			if rf.Name == "department_code" {
				q.DepartmentCode = v.text
			} else {
				q.Note = v.text // note, reason, report and comment travel as the Note
			}
			if rf.Required && v.text == "" {
				required(rf.Name)
			}
		case domain.FieldInt:
			if in.WorkingDays != nil {
				q.WorkingDays = *in.WorkingDays
			}
			if rf.Required && !v.set {
				required(rf.Name)
			}
		case domain.FieldBool:
			if rf.Name == "reached" {
				q.Reached = v.on
			} else {
				q.Approve = v.on // approve or uphold: the supervisor's decision
			}
			if rf.Required && !v.set {
				required(rf.Name)
			}
		case domain.FieldLevel:
			if v.set {
				q.Level = domain.Level(v.text)
				if !q.Level.Valid() {
					fs = append(fs, domain.FieldError{Field: rf.Name, Message: "must be one of the five levels"})
				}
			} else if rf.Required || (rf.RequiredIf != "" && in.field(rf.RequiredIf).on) {
				required(rf.Name)
			}
		}
	}
	if fs != nil {
		return q, domain.Invalid("invalid_action", fs)
	}
	return q, nil
}

// Acted is the outcome of an action.
type Acted struct {
	Ticket domain.Ticket // the ticket as the action wrote it
	// Answer is, under an IdempotencyKey, the answer stored for the key (the
	// ticket as JSON, or the refusal as the API wrote it).
	Answer *store.IdempotentAnswer
	// Replayed: the key was used before for this very request, and Answer is
	// that first answer; nothing was done now, and Ticket is empty.
	Replayed bool
}

// Authorize is the check of who may take the action on the ticket: an unknown
// action is 404 unknown_action, a ticket u may not see is not found (404, before
// anything else is said about it), a role the action is not for is 403. Act
// applies it first; an adapter calls it alone to refuse a caller before saying
// what is wrong with their request's form.
func (s *Tickets) Authorize(ctx context.Context, u domain.User, number, action string) (store.TicketRef, domain.ActionRule, error) {
	rule, known := domain.RuleOf(action)
	if !known {
		return store.TicketRef{}, rule, domain.E(domain.KindNotFound, "unknown_action", "no action %q", action)
	}
	ref, err := s.Store.GetTicketRef(ctx, number)
	if err != nil {
		return ref, rule, err
	}
	if !u.SeesTicket(ref.DepartmentCode) {
		return ref, rule, domain.ErrNotFound
	}
	if !rule.Allows(u.Role) {
		return ref, rule, domain.ErrForbidden
	}
	return ref, rule, nil
}

// Act performs one ticket action as u through the ticket's workflow and
// returns the ticket as written: the workflow's Update returns only after its
// write committed. It authorizes (Authorize), checks the fields against the
// rule table, resolves a dispatch's department given by name, and calls the
// engine, each once; the workflow's validator then applies the state rules.
func (s *Tickets) Act(ctx context.Context, u domain.User, number, action string, in ActionInput) (Acted, error) {
	ref, rule, err := s.Authorize(ctx, u, number, action)
	if err != nil {
		return Acted{}, err
	}
	q, err := in.request(rule, u.Actor())
	if err != nil {
		return Acted{}, err
	}
	if action == domain.ActionDispatch {
		code, ok, err := s.Store.ResolveDepartment(ctx, q.DepartmentCode)
		if err != nil {
			return Acted{}, err
		}
		if !ok {
			return Acted{}, domain.Invalid("invalid_action", []domain.FieldError{{Field: "department_code", Message: "unknown department"}})
		}
		q.DepartmentCode = code
	}
	if in.IdempotencyKey != "" {
		return s.actOnce(ctx, u, ref, action, in, q)
	}
	if err := s.Engine.Act(ctx, ref, action, q); err != nil {
		return Acted{}, err
	}
	t, err := s.Store.GetTicket(ctx, ref.Number)
	return Acted{Ticket: t}, err
}

// actionFingerprint identifies the request a key was first used for: the same
// ticket, action and fields (decoded, so spacing and field order do not matter).
func actionFingerprint(number, action string, in ActionInput) []byte {
	b, _ := json.Marshal(in) // a struct of pointers to plain values: cannot fail
	h := sha256.New()
	h.Write([]byte(number + "\x00" + action + "\x00"))
	h.Write(b)
	return h.Sum(nil)
}

// updateIDOf maps a caller's key to the workflow Update ID, so Temporal too
// applies the action once even when the first request's answer was lost.
func updateIDOf(username, key string) string {
	sum := sha256.Sum256([]byte(username + "\x00" + key))
	return "idem-" + hex.EncodeToString(sum[:16])
}

// actOnce performs an action under an idempotency key: a repeat gets the first
// answer; a repeat whose first request has no answer yet (in flight, or its
// process died) sends the same Update ID, which Temporal deduplicates.
func (s *Tickets) actOnce(ctx context.Context, u domain.User, ref store.TicketRef, action string, in ActionInput, q workflows.ActionRequest) (Acted, error) {
	key := in.IdempotencyKey
	ans, err := s.Store.ClaimIdempotencyKey(ctx, store.IdempotentRequest{Username: u.Username, Key: key,
		TicketNumber: ref.Number, Action: action, Fingerprint: actionFingerprint(ref.Number, action, in)})
	if err != nil {
		return Acted{}, err
	}
	if ans.Status != 0 {
		return Acted{Answer: &ans, Replayed: true}, nil
	}
	// The answer is stored even if the caller has gone: that is when it matters.
	save := func(a store.IdempotentAnswer) {
		if err := s.Store.SaveIdempotentAnswer(context.WithoutCancel(ctx), u.Username, key, a); err != nil {
			s.Log.Warn("idempotency answer not stored", "ticket", ref.Number, "err", err)
		}
	}
	if err := s.Engine.ActOnce(ctx, ref, action, updateIDOf(u.Username, key), q); err != nil {
		// A refusal is an answer; an outage is not (the retry should try again).
		if de, ok := domain.AsError(err); ok && de.Kind != domain.KindUnavailable && de.Kind != domain.KindInternal {
			b, _ := json.Marshal(de.Body())
			save(store.IdempotentAnswer{Status: de.Kind.HTTPStatus(), Body: b})
		}
		return Acted{}, err
	}
	t, err := s.Store.GetTicket(ctx, ref.Number)
	if err != nil {
		return Acted{}, err
	}
	b, err := json.Marshal(t)
	if err != nil {
		return Acted{}, err
	}
	a := store.IdempotentAnswer{Status: http.StatusOK, Body: b}
	save(a)
	return Acted{Ticket: t, Answer: &a}, nil
}
