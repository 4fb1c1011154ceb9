package campaigns

import "rectify/store"

// Candidate is a waiting case the campaign may release into the call-back
// queue, as the store's release walk finds it.
type Candidate = store.Candidate

// Release is the decision on one candidate: release it to Team, skip it for
// SkipReason, or (both empty) leave it waiting because its team is full today.
type Release = store.ReleaseDecision

// Releaser applies the daily caps while a release walks the waiting cases,
// oldest first. One Releaser serves one release on one day.
type Releaser struct {
	rules  Rules
	used   map[string]int  // cases each team took today
	phones map[string]bool // phones released by this release
}

// NewReleaser starts a release; used counts the cases each team already took
// today (the Shanghai day), so caps hold across releases and restarts.
func (r Rules) NewReleaser(used map[string]int) *Releaser {
	u := make(map[string]int, len(used))
	for k, v := range used {
		u[k] = v
	}
	return &Releaser{rules: r, used: u, phones: map[string]bool{}}
}

// Decide decides one candidate and counts it against its team's cap.
func (rl *Releaser) Decide(c Candidate) Release {
	switch {
	case c.Rated:
		return Release{SkipReason: SkipRated}
	case c.Phone == "":
		return Release{SkipReason: SkipUnreachable}
	case c.RecentlyCalled, rl.rules.CitizenCooldownDays > 0 && rl.phones[c.Phone]:
		return Release{SkipReason: SkipRecentlyCalled}
	}
	t := rl.rules.TeamOf(c.DepartmentCode)
	if rl.used[t.Code] >= t.DailyCap {
		return Release{}
	}
	rl.used[t.Code]++
	rl.phones[c.Phone] = true
	return Release{Team: t.Code}
}

// Full reports whether every team has reached its cap: nothing more can be
// released today.
func (rl *Releaser) Full() bool {
	for _, t := range rl.rules.Teams {
		if rl.used[t.Code] < t.DailyCap {
			return false
		}
	}
	return true
}
