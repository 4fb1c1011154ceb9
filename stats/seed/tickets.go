package seed

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"time"

	"rectify/calendar"
)

// ticketRow is a ticket's final snapshot, as the workflow would have left it.
type ticketRow struct {
	number, ratingID, status, resolution, dept string
	round                                      int
	stageStarted, due, closed                  *time.Time
	overdue                                    bool
	escalation                                 int
	pending                                    []byte
	callAttempts                               int
	callTask                                   bool
	report                                     string
	created, updated                           time.Time
	version                                    int
}

type eventRow struct {
	seq                          int
	typ, actor, role, note, dept string
	at                           time.Time
	round                        int
	data                         []byte
}

// policy mirrors the default rules (config: rules.*).
const (
	signDays    = 1
	rectifyDays = 5
	surveyDays  = 2
	maxRounds   = 3
	escalate2   = 2 // working days after the deadline
)

// life simulates one ticket from its creation until now: the events the workflow
// would have written and the snapshot it would have left. Stopping at now leaves
// younger tickets open in every status, some of them overdue.
type life struct {
	rng   *rand.Rand
	cal   *calendar.Calendar
	now   time.Time
	w     *world
	d     *department
	reach bool // real-name with a phone: followed up

	t       ticketRow
	events  []eventRow
	stopped bool
	upheld  bool // an appeal was upheld: the rating is out of statistics
}

// emit records one transition at `at` unless that is after now, which ends the
// simulation with the state so far. change applies the transition to the snapshot.
func (l *life) emit(at time.Time, typ, actor, role, note string, data map[string]any, change func()) bool {
	if l.stopped || at.After(l.now) {
		l.stopped = true
		return false
	}
	if last := l.t.updated; at.Before(last) {
		at = last.Add(time.Second)
	}
	round, dept := l.t.round, l.t.dept
	if change != nil {
		change()
	}
	if l.t.status == "closed" && l.t.closed == nil {
		c := at
		l.t.closed, l.t.due, l.t.stageStarted, l.t.pending = &c, nil, nil, nil
		l.t.overdue, l.t.escalation = false, 0
	}
	if dept == "" {
		dept = l.t.dept
	}
	e := eventRow{seq: len(l.events) + 1, typ: typ, actor: actor, role: role, note: note, dept: dept, at: at, round: round}
	if data != nil {
		e.data, _ = json.Marshal(data)
	}
	l.events = append(l.events, e)
	l.t.version++
	l.t.updated = at
	return true
}

// stage starts a stage of n working days at `at`.
func (l *life) stage(at time.Time, n int) {
	s := at
	due := l.deadline(at, n)
	l.t.stageStarted, l.t.due, l.t.overdue, l.t.escalation = &s, &due, false, 0
}

func (l *life) deadline(from time.Time, n int) time.Time {
	t, err := l.cal.Deadline(from, n)
	if err != nil { // a year without holiday data: count calendar days
		y, m, d := from.In(from.Location()).Date()
		return time.Date(y, m, d+n, 18, 0, 0, 0, from.Location())
	}
	return t
}

// after is a moment wd working days after t, during office hours.
func (l *life) after(t time.Time, wd float64) time.Time {
	k := int(wd)
	frac := wd - float64(k)
	if k == 0 {
		return t.Add(time.Duration((0.05 + frac*6) * float64(time.Hour)))
	}
	end, err := l.cal.Shift(t, k)
	if err != nil {
		return t.Add(time.Duration(wd * 24 * float64(time.Hour)))
	}
	y, m, d := end.Date()
	return time.Date(y, m, d, 9, 0, 0, 0, end.Location()).Add(time.Duration(frac * 8.5 * float64(time.Hour)))
}

// lateness passes the deadline on the way to `at`: overdue at the deadline, a
// second escalation two working days later. It reports whether the simulation
// goes on.
func (l *life) lateness(at time.Time) bool {
	if l.t.due == nil || !at.After(*l.t.due) {
		return true
	}
	due := *l.t.due
	if !l.emit(due, "overdue", "system", "system", "", nil, func() { l.t.overdue, l.t.escalation = true, 1 }) {
		return false
	}
	if e2 := l.deadline(due, escalate2); at.After(e2) {
		return l.emit(e2, "escalated", "system", "system", "", nil, func() { l.t.escalation = 2 })
	}
	return true
}

func (l *life) deptUser() string { return l.t.dept + "-user" }

func (l *life) run(created time.Time, known bool) {
	l.t.created, l.t.updated, l.t.round = created, created, 1
	at := created.Add(time.Second)
	if known {
		l.t.status, l.t.dept = "awaiting_sign", l.d.code
		l.emit(at, "dispatched", "system", "system", l.d.code, nil, func() { l.stage(at, signDays) })
	} else {
		l.t.status = "pending_dispatch"
		l.emit(at, "opened", "system", "system", "", nil, nil)
		if !l.dispatch(l.after(at, l.rng.Float64()*4), l.d.code) {
			return
		}
	}
	returned := false
	for !l.stopped && l.t.status != "closed" {
		// Awaiting sign: most sign within hours; some return the ticket or appeal.
		switch x := l.rng.Float64(); {
		case x < 0.04 && !returned:
			returned = true
			rt := l.after(l.t.updated, l.rng.Float64()*0.9)
			if !l.lateness(rt) || !l.emit(rt, "returned", l.deptUser(), "department", "非本单位职责", map[string]any{"department_code": l.t.dept}, func() {
				l.t.status, l.t.dept, l.t.due, l.t.stageStarted, l.t.overdue, l.t.escalation, l.t.pending = "pending_dispatch", "", nil, nil, false, 0, nil
			}) {
				return
			}
			to := l.w.depts[l.rng.IntN(len(l.w.depts))].code
			if l.rng.Float64() < 0.5 {
				to = l.d.code // an improper return: the same department again
			}
			if !l.dispatch(l.after(rt, l.rng.Float64()*3), to) {
				return
			}
			continue
		case x < 0.06:
			if !l.appeal() || l.t.status == "closed" {
				return
			}
		}
		signAt := l.after(l.t.updated, signDelay(l.rng))
		if !l.lateness(signAt) || !l.emit(signAt, "signed", l.deptUser(), "department", "", nil, func() {
			l.t.status = "rectifying"
			l.stage(signAt, rectifyDays)
		}) {
			return
		}
		if !l.rectify(signAt) {
			return
		}
	}
}

func signDelay(rng *rand.Rand) float64 {
	switch x := rng.Float64(); {
	case x < 0.75:
		return rng.Float64() * 0.7
	case x < 0.95:
		return 1 + rng.Float64()*0.9
	default:
		return 2 + rng.Float64()*3 // late
	}
}

func (l *life) dispatch(at time.Time, to string) bool {
	return l.emit(at, "dispatched", "callcenter1", "callcenter", "", map[string]any{"department_code": to}, func() {
		if l.t.status == "awaiting_supervisor" {
			l.t.round++
		}
		l.t.status, l.t.dept, l.t.callTask, l.t.callAttempts = "awaiting_sign", to, false, 0
		l.stage(at, signDays)
	})
}

// appeal: the department says the rating is mistaken; a supervisor decides later.
func (l *life) appeal() bool {
	at := l.after(l.t.updated, l.rng.Float64()*0.8)
	req := func() []byte {
		b, _ := json.Marshal(map[string]any{"type": "appeal", "reason": "误评", "requested_by": l.deptUser(), "requested_at": at})
		return b
	}
	if !l.lateness(at) || !l.emit(at, "appealed", l.deptUser(), "department", "评价人误操作", nil, func() { l.t.pending = req() }) {
		return false
	}
	dt := l.after(at, 0.5+l.rng.Float64()*2)
	if !l.lateness(dt) {
		return false
	}
	if l.rng.Float64() < 0.45 {
		ok := l.emit(dt, "appeal_upheld", "supervisor1", "supervisor", "核实为误评", nil, func() {
			l.t.pending, l.t.status, l.t.resolution = nil, "closed", "appeal_upheld"
		})
		l.upheld = l.upheld || ok
		return ok
	}
	return l.emit(dt, "appeal_rejected", "supervisor1", "supervisor", "", nil, func() { l.t.pending = nil })
}

// rectify runs the rectify stage from signAt to the report and the follow-up.
func (l *life) rectify(signAt time.Time) bool {
	days := rectifyDays
	work := math.Exp(l.rng.NormFloat64()*0.6) * 2.2 // working days, median ~2
	if l.rng.Float64() < l.d.lateRate {
		work = float64(rectifyDays) + 0.2 + l.rng.Float64()*6
	}
	if l.rng.Float64() < 0.08 { // an extension request
		rq := l.after(signAt, math.Min(work*0.5, 3))
		ext := 3 + l.rng.IntN(8)
		b, _ := json.Marshal(map[string]any{"type": "extension", "working_days": ext, "reason": "需协调多部门",
			"requested_by": l.deptUser(), "requested_at": rq})
		if !l.lateness(rq) || !l.emit(rq, "extension_requested", l.deptUser(), "department", "需协调多部门",
			map[string]any{"working_days": ext}, func() { l.t.pending = b }) {
			return false
		}
		dt := l.after(rq, l.rng.Float64()*0.9)
		if !l.lateness(dt) {
			return false
		}
		if l.rng.Float64() < 0.75 {
			days += ext
			if !l.emit(dt, "extension_approved", "supervisor1", "supervisor", "", map[string]any{"working_days": ext}, func() {
				l.t.pending = nil
				due := l.deadline(signAt, days)
				l.t.due = &due
				if due.After(dt) {
					l.t.overdue, l.t.escalation = false, 0
				}
			}) {
				return false
			}
			work += float64(ext) * 0.6
		} else if !l.emit(dt, "extension_rejected", "supervisor1", "supervisor", "", nil, func() { l.t.pending = nil }) {
			return false
		}
	}
	resolveAt := l.after(signAt, work)
	if l.rng.Float64() < 0.01 { // a supervisor closes it instead
		return l.lateness(resolveAt) && l.emit(resolveAt, "closed", "supervisor1", "supervisor", "已另行处理", nil, func() {
			l.t.status, l.t.resolution = "closed", "closed_by_supervisor"
		})
	}
	if !l.lateness(resolveAt) {
		return false
	}
	due := l.t.due
	report := "已整改：" + complaints[l.rng.IntN(len(complaints))] + "问题已处理并反馈"
	if !l.emit(resolveAt, "resolved", l.deptUser(), "department", report, map[string]any{"due_at": due}, func() {
		l.t.report, l.t.pending = report, nil
		if !l.reach {
			l.t.status, l.t.resolution = "closed", "no_followup"
			return
		}
		l.t.status = "following_up"
		l.stage(resolveAt, surveyDays)
	}) {
		return false
	}
	if !l.reach {
		return true
	}
	return l.followUp(resolveAt)
}

// followUp: the SMS survey, or calls once it expires.
func (l *life) followUp(resolveAt time.Time) bool {
	var (
		at     time.Time
		event  string
		actor  = "citizen"
		role   = "citizen"
		reachd = true
	)
	if l.rng.Float64() < 0.55 {
		at, event = l.after(resolveAt, l.rng.Float64()*1.8), "survey_answered"
	} else {
		if !l.emit(*l.t.due, "survey_expired", "system", "system", "", nil, func() { l.t.callTask, l.t.due, l.t.stageStarted = true, nil, nil }) {
			return false
		}
		at, event, actor, role = l.after(l.t.updated, l.rng.Float64()*1.5), "call_logged", "callcenter1", "callcenter"
		for attempt := 1; l.rng.Float64() < 0.15; attempt++ {
			if !l.emit(at, "call_logged", actor, role, "无人接听", map[string]any{"reached": false, "attempt": attempt}, func() {
				l.t.callAttempts = attempt
				if attempt >= 3 {
					l.t.status, l.t.resolution = "closed", "unreachable"
				}
			}) {
				return false
			}
			if attempt >= 3 {
				reachd = false
				break
			}
			at = l.after(at, 0.3+l.rng.Float64())
		}
		if !reachd {
			return true
		}
	}
	level := []string{"very_satisfied", "satisfied", "basically_satisfied", "dissatisfied", "very_dissatisfied"}[weighted(l.rng, []float64{35, 35, 15, 10, 5})]
	data := map[string]any{"reached": true, "level": level}
	negative := level == "dissatisfied" || level == "very_dissatisfied"
	switch {
	case !negative:
		return l.emit(at, event, actor, role, "", data, func() { l.t.status, l.t.resolution = "closed", "satisfied" })
	case l.t.round >= maxRounds:
		data["reopened"] = false
		if !l.emit(at, event, actor, role, "", data, func() {
			l.t.status, l.t.due, l.t.stageStarted, l.t.overdue, l.t.escalation = "awaiting_supervisor", nil, nil, false, 0
		}) {
			return false
		}
		dt := l.after(at, 1+l.rng.Float64()*8) // supervisors take their time
		if l.rng.Float64() < 0.6 {
			return l.dispatch(dt, l.t.dept)
		}
		return l.emit(dt, "closed", "supervisor1", "supervisor", "多轮整改仍不满意，督办办结", nil, func() {
			l.t.status, l.t.resolution = "closed", "closed_by_supervisor"
		})
	default:
		data["reopened"] = true
		return l.emit(at, event, actor, role, "", data, func() {
			l.t.round++
			l.t.status, l.t.callTask, l.t.callAttempts = "awaiting_sign", false, 0
			l.stage(at, signDays)
		})
	}
}
