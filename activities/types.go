package activities

import (
	"time"

	"rectify/domain"
)

// StageInput asks for the wall-clock times of a stage that starts at From and
// allows Days working days.
type StageInput struct {
	From time.Time
	Days int
}

// StageTimes are a stage's reminder, deadline and level-2 escalation times.
type StageTimes struct {
	RemindAt    *time.Time
	DueAt       time.Time
	Escalate2At time.Time
}

// Notice asks for one outbound message; the activity renders its text.
type Notice struct {
	Kind string // see the Notice* constants
}

const (
	NoticeDispatched = "dispatched" // a department has a new ticket (派单)
	NoticeReminder   = "reminder"   // 催办: the deadline is one working day away
	NoticeOverdue    = "overdue"    // escalation level 1: department and supervisors
	NoticeEscalated  = "escalated"  // level 2: 通报 to supervisors
	NoticeUrged      = "urged"      // a supervisor urged the department
	NoticeExtension  = "extension"  // the citizen is told of an approved extension
	NoticeReturned   = "returned"   // supervisors and call center: re-dispatch needed
	NoticeSupervisor = "supervisor" // too many rounds: a supervisor must decide
)

// Change is one transition of a ticket, written in one transaction: the new
// snapshot (if its version is newer than what is stored), the event, and its effects.
type Change struct {
	Ticket        domain.Ticket // Events is ignored
	Event         domain.Event
	Notices       []Notice
	SendSurvey    bool   // issue the round's survey token and its SMS
	SurveyUsed    []byte // hash of the survey token that answered, marked used
	ExcludeRating bool   // an appeal was upheld
	// Stage, set only by RectificationV2 (Activities.Write), asks for the times of a
	// stage that starts or is extended by this change; Extend: an extension, which
	// clears Overdue when the new deadline is still ahead. Both are left out of the
	// JSON (and so of the idempotency digest) when unset.
	Stage  *StageInput `json:",omitempty"`
	Extend bool        `json:",omitempty"`
	// Clock, set only by RectificationV3, is the workflow's reminder and level-2
	// times after the change (before a stage's times that the write computes): the
	// write stores the ticket's next deadline as its wake_at (see Stored).
	Clock *Clock `json:",omitempty"`
}

// Clock is the part of a ticket's deadline clock that its snapshot does not hold.
type Clock struct {
	Remind    *time.Time
	Escalate2 *time.Time
}

// Stored is the snapshot a write of ch stores, given the times of the stage it
// computed, and for RectificationV3 (ch.Clock set) the ticket's wake_at: its
// next deadline by domain.NextDeadline, reckoned with the same rules the workflow
// applies to the same times (setStage), so the two agree to the instant. wake is
// nil when there is none (or for the older types, whose timers wake them).
func (ch Change) Stored(times StageTimes) (t domain.Ticket, wake *time.Time) {
	t = ch.Ticket
	if ch.Stage != nil {
		due := times.DueAt
		t.DueAt = &due
		if ch.Extend && due.After(ch.Event.At) {
			t.Overdue, t.EscalationLevel = false, 0 // the extension gave time back
		}
	}
	if ch.Clock == nil {
		return t, nil
	}
	remind, esc := ch.Clock.Remind, ch.Clock.Escalate2
	if ch.Stage != nil {
		remind, esc = domain.StageReminder(times.RemindAt, t.Status, ch.Event.At), &times.Escalate2At
	}
	if at, kind := domain.NextDeadline(t, remind, esc); kind != domain.DeadlineNone {
		wake = &at
	}
	return t, wake
}
