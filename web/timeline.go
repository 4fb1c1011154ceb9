package web

import (
	"context"
	"time"

	"rectify/domain"
	"rectify/store"
)

// The ticket page's 办理记录 (issue 17 item 9): the events grouped by round, each
// round under its own heading with its own report; the send-back to the
// department that opens a new round as a line of its own; people by display
// name (username on hover), departments by name; and the notices each event
// sent (催办, reminders, overdue notices, 通报) under it.

// timelineRound is one round of the ticket, in order.
type timelineRound struct {
	Round  int
	Dept   string // the department's name (or code) that the round was with
	Items  []timelineItem
	Report string // the report the department filed this round, if any
}

// timelineItem is one line: an event, or a step the workflow took on its own
// (Synthetic) such as sending the ticket back for another round.
type timelineItem struct {
	At        time.Time
	Type      string // the event type; for synthetic lines "reassigned" or "to_supervisor"
	Label     string
	Who       string // display name, or the role for system and citizen
	WhoTitle  string // username, shown on hover
	Role      string // the actor's role, translated
	Tags      []string
	Note      string
	Notices   []noticeLine
	Synthetic bool
}

// noticeLine is one message an event sent, as the timeline names it.
type noticeLine struct {
	To   string
	Body string
	Sent bool
}

// timeline builds the rounds of t's events. names maps usernames to display
// names, depts codes to names; notices are the ticket's outbox messages; u is
// the reader (a department sees no supervisors' notices; nobody sees an SMS).
func timeline(l Lang, t domain.Ticket, names, depts map[string]string, notices []store.TicketNotice, u domain.User) []timelineRound {
	bySeq := map[int][]noticeLine{}
	for _, n := range notices {
		line := noticeLine{Body: n.Body, Sent: n.SentAt != nil}
		switch n.Channel {
		case "department":
			if u.Role == domain.RoleDepartment && n.Recipient != u.DepartmentCode {
				continue
			}
			line.To = l.T("tl.to.department", nameOr(depts, n.Recipient))
		case "supervisors":
			if u.Role == domain.RoleDepartment {
				continue
			}
			line.To = l.T("tl.to.supervisors")
		case "sms":
			line.To, line.Body = l.T("tl.to.sms"), l.Label("tl.sms", n.Kind)
		default:
			continue
		}
		bySeq[n.EventSeq] = append(bySeq[n.EventSeq], line)
	}
	var rounds []timelineRound
	open := func(round int, dept string) {
		if len(rounds) > 0 && rounds[len(rounds)-1].Round == round {
			return
		}
		rounds = append(rounds, timelineRound{Round: round, Dept: nameOr(depts, dept)})
	}
	cur := func() *timelineRound { return &rounds[len(rounds)-1] }
	for i, e := range t.Events {
		round := e.Round
		if round == 0 {
			round = 1
		}
		next := t.Round // the round after this event
		if i+1 < len(t.Events) && t.Events[i+1].Round > 0 {
			next = t.Events[i+1].Round
		}
		if e.Type == "dispatched" && next > round {
			round = next // a supervisor granted one more round: it starts here
		}
		dept := e.DepartmentCode
		if d, ok := e.Data["department_code"].(string); ok && e.Type == "dispatched" {
			dept = d
		}
		open(round, dept)
		if cur().Dept == "" && dept != "" {
			cur().Dept = nameOr(depts, dept)
		}
		it := timelineItem{At: e.At, Type: e.Type, Label: l.Label("event", e.Type), Note: e.Note, Notices: bySeq[e.Seq]}
		switch e.Actor {
		case "system", "citizen", "":
			it.Who = l.Label("role", e.Actor)
		default:
			it.Who, it.WhoTitle = nameOr(names, e.Actor), e.Actor
			if e.ActorRole != "" {
				it.Role = l.Label("role", e.ActorRole)
			}
		}
		if v, ok := e.Data["level"].(string); ok && v != "" {
			it.Tags = append(it.Tags, l.Label("level", v))
		}
		if v, ok := e.Data["working_days"]; ok {
			it.Tags = append(it.Tags, "+"+l.T("tl.days", v))
		}
		if d, ok := e.Data["department_code"].(string); ok && d != "" {
			it.Tags = append(it.Tags, nameOr(depts, d))
		} else if e.Type == "dispatched" && e.Note != "" && e.Note == e.DepartmentCode {
			// The first dispatch, made on the rating, notes the department's code.
			it.Tags, it.Note = append(it.Tags, nameOr(depts, e.Note)), ""
		}
		if e.Type == "resolved" {
			cur().Report, it.Note = e.Note, "" // shown once, as the round's report
		}
		cur().Items = append(cur().Items, it)
		reopened, decided := e.Data["reopened"].(bool)
		switch {
		case decided && reopened:
			// The new round's 派单 notice belongs to the send-back, not to the answer.
			it := &cur().Items[len(cur().Items)-1]
			moved := it.Notices
			it.Notices = nil
			open(round+1, e.DepartmentCode)
			cur().Items = append(cur().Items, timelineItem{At: e.At, Type: "reassigned", Synthetic: true,
				Label: l.T("tl.reassigned"), Who: l.Label("role", "system"), Notices: moved,
				Note: l.T("tl.reassigned.note", nameOr(depts, e.DepartmentCode), round+1)})
		case decided && !reopened:
			cur().Items = append(cur().Items, timelineItem{At: e.At, Type: "to_supervisor", Synthetic: true,
				Label: l.T("tl.to_supervisor"), Who: l.Label("role", "system"), Note: l.T("tl.to_supervisor.note", round)})
		}
	}
	return rounds
}

// waitReason says why a ticket waits for a supervisor, "" when it does not: as
// a call to act to whoever can (a), as a fact to everyone else.
func waitReason(l Lang, t domain.Ticket, a actions) string {
	key := func(k string, canAct bool) string {
		if canAct {
			return k
		}
		return k + ".info"
	}
	switch {
	case t.Status == domain.StatusAwaitingSupervisor:
		return l.T(key("ticket.wait.rounds", a[domain.ActionDispatch] || a[domain.ActionClose]), t.Round)
	case t.PendingRequest != nil && t.PendingRequest.Type == domain.RequestAppeal:
		return l.T(key("ticket.wait.appeal", a[domain.ActionDecideAppeal]))
	case t.PendingRequest != nil && t.PendingRequest.Type == domain.RequestExtension:
		return l.T(key("ticket.wait.ext", a[domain.ActionDecideExtension]), t.PendingRequest.WorkingDays)
	}
	return ""
}

// timelineFor loads what the timeline names: the actors' display names and
// the ticket's notices.
func (w *Web) timelineFor(ctx context.Context, l Lang, t domain.Ticket, depts map[string]string, u domain.User) ([]timelineRound, map[string]string, error) {
	seen := map[string]bool{}
	var users []string
	add := func(s string) {
		if s != "" && !seen[s] {
			seen[s] = true
			users = append(users, s)
		}
	}
	for _, e := range t.Events {
		add(e.Actor)
	}
	if t.PendingRequest != nil {
		add(t.PendingRequest.RequestedBy)
	}
	names, err := w.Store.DisplayNames(ctx, users)
	if err != nil {
		return nil, nil, err
	}
	notices, err := w.Store.TicketNotices(ctx, t.Number)
	if err != nil {
		return nil, nil, err
	}
	return timeline(l, t, names, depts, notices, u), names, nil
}
