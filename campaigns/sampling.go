package campaigns

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math"
	"slices"
	"strconv"
)

// Case is what sampling needs to know of a finished service case.
type Case struct {
	CaseNo          string
	DepartmentCode  string
	ServiceItemCode string
	Reachable       bool // the applicant left a phone number
	Rated           bool // the citizen already rated the case (ratings.case_no)
}

// Status is where a case stands in the campaign.
type Status string

const (
	StatusNotSampled Status = "not_sampled" // the rules did not pick it
	StatusWaiting    Status = "waiting"     // picked: waits for the campaign to release it
	StatusReleased   Status = "released"    // in the call-back queue (it has a call-back)
	StatusSkipped    Status = "skipped"     // picked, but no call is needed or possible: see SkipReason
)

// Why a picked case is not called.
const (
	SkipRated          = "rated"           // the citizen rated it themselves
	SkipUnreachable    = "unreachable"     // no phone number
	SkipRecentlyCalled = "recently_called" // the citizen had a call-back within the cooldown
)

// Decision is the fate of a new case.
type Decision struct {
	Sampled    bool // picked by the rules (whether or not it can then be called)
	Status     Status
	SkipReason string
}

// Decide samples a new case. The result depends only on the case and the rule
// set, so deciding again (a retried intake, a re-run) gives the same answer.
func (r Rules) Decide(c Case) Decision {
	if !r.Picks(c.CaseNo, c.DepartmentCode, c.ServiceItemCode) {
		return Decision{Status: StatusNotSampled}
	}
	switch {
	case c.Rated:
		return Decision{Sampled: true, Status: StatusSkipped, SkipReason: SkipRated}
	case !c.Reachable:
		return Decision{Sampled: true, Status: StatusSkipped, SkipReason: SkipUnreachable}
	}
	return Decision{Sampled: true, Status: StatusWaiting}
}

// Share is the fraction of a department's or service item's cases that is called:
// an always-call item is 1, an item's own share wins over its department's, and
// the default covers the rest.
func (r Rules) Share(departmentCode, serviceItemCode string) float64 {
	if slices.Contains(r.AlwaysCallItems, serviceItemCode) {
		return 1
	}
	if s, ok := r.ServiceItemShares[serviceItemCode]; ok {
		return s
	}
	if s, ok := r.DepartmentShares[departmentCode]; ok {
		return s
	}
	return r.DefaultShare
}

// Picks reports whether the rules sample the case: its draw, a number in [0, 1)
// fixed by the case number and the rule set's version, falls below its share.
func (r Rules) Picks(caseNo, departmentCode, serviceItemCode string) bool {
	share := r.Share(departmentCode, serviceItemCode)
	if share >= 1 {
		return true
	}
	return Draw(caseNo, r.Version) < share
}

// Draw is the case's deterministic random number in [0, 1) under a rule set
// version: the first 64 bits of sha256(version, case number), scaled. A hash, not
// a seeded generator, so it needs no state and every process agrees.
func Draw(caseNo string, version int) float64 {
	h := sha256.Sum256([]byte(strconv.Itoa(version) + "\x00" + caseNo))
	return float64(binary.BigEndian.Uint64(h[:8])>>11) / (1 << 53) // 53 bits: exact in a float64
}

// Rate is n/d, or nil when there is nothing to divide: "no calls yet" is not 0%.
func Rate(n, d int) *float64 {
	if d <= 0 {
		return nil
	}
	v := math.Round(float64(n)/float64(d)*10000) / 10000
	return &v
}

// maxRatingID is the longest rating id the ratings API accepts.
const maxRatingID = 128

// CallbackRatingPrefix starts every call-back rating's id; the ratings API refuses it.
const CallbackRatingPrefix = "callback-"

// CallbackRatingID is the id of the rating a reached call-back registers:
// "callback-" and the case number, so however often the call is logged there is
// one rating, and so at most one ticket. A case number too long for the id limit
// is replaced by its hash.
func CallbackRatingID(caseNo string) string {
	const prefix = CallbackRatingPrefix
	if len([]rune(caseNo)) <= maxRatingID-len(prefix) {
		return prefix + caseNo
	}
	h := sha256.Sum256([]byte(caseNo))
	return prefix + hex.EncodeToString(h[:16])
}
