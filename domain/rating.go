package domain

import (
	"slices"
	"time"
)

// Level is a citizen's rating, best first.
type Level string

const (
	VerySatisfied      Level = "very_satisfied"      // 非常满意
	Satisfied          Level = "satisfied"           // 满意
	BasicallySatisfied Level = "basically_satisfied" // 基本满意
	Dissatisfied       Level = "dissatisfied"        // 不满意
	VeryDissatisfied   Level = "very_dissatisfied"   // 非常不满意
)

// Levels lists every level, best first.
var Levels = []Level{VerySatisfied, Satisfied, BasicallySatisfied, Dissatisfied, VeryDissatisfied}

// Valid reports whether l is one of the five levels.
func (l Level) Valid() bool { return slices.Contains(Levels, l) }

// Negative reports whether l is a 差评: the two lowest levels.
func (l Level) Negative() bool { return l == Dissatisfied || l == VeryDissatisfied }

// Channel is where a rating was given.
type Channel string

const (
	ChannelWeb     Channel = "web"     // 网上政务服务平台
	ChannelHall    Channel = "hall"    // 实体政务大厅
	ChannelMobile  Channel = "mobile"  // 政务服务移动端
	ChannelKiosk   Channel = "kiosk"   // 自助终端
	ChannelHotline Channel = "hotline" // 12345 电话评价登记
)

var Channels = []Channel{ChannelWeb, ChannelHall, ChannelMobile, ChannelKiosk, ChannelHotline}

func (c Channel) Valid() bool { return slices.Contains(Channels, c) }

// Aspects are the parts of the service a rating can name.
var Aspects = []string{"queueing", "guide", "handling", "result", "delivery", "convenience", "attitude", "competence"}

// Citizen is the rater. Phone is personal data: masked for every role but the call
// center and never logged.
type Citizen struct {
	Name      string `json:"name,omitempty"`
	Phone     string `json:"phone,omitempty"`
	Anonymous bool   `json:"anonymous"`
}

// Kept is what rectify keeps of the rater. Of an anonymous rater nothing is kept:
// they chose anonymity, no law here requires their name or number, the call center
// does not call them, and what is never stored cannot be shown, exported or pushed.
func (c Citizen) Kept() Citizen {
	if c.Anonymous {
		return Citizen{Anonymous: true}
	}
	return c
}

// Reachable reports whether the citizen can be followed up by SMS or call.
func (c Citizen) Reachable() bool { return !c.Anonymous && c.Phone != "" }

// Service is where and by whom the rated service was given, all optional: the
// fields a rating is submitted with (services.RatingInput), stored with (Rating)
// and pushed to the 12345 platform with (store.PlatformOrder), in one place.
type Service struct {
	ServiceItemCode string `json:"service_item_code,omitempty"`
	StaffID         string `json:"staff_id,omitempty"`
	HallCode        string `json:"hall_code,omitempty"`
	CaseNo          string `json:"case_no,omitempty"`
	RegionCode      string `json:"region_code,omitempty"`
}

// Rating is one stored rating.
type Rating struct {
	ID             string    `json:"id"`
	Channel        Channel   `json:"channel"`
	Level          Level     `json:"level"`
	RatedAt        time.Time `json:"rated_at"`
	ReceivedAt     time.Time `json:"received_at"`
	DepartmentCode string    `json:"department_code"`
	Service
	Aspects      []string `json:"aspects"`
	Comment      string   `json:"comment,omitempty"`
	Citizen      *Citizen `json:"citizen,omitempty"`
	Negative     bool     `json:"negative"`
	Excluded     bool     `json:"excluded"` // an appeal against it was upheld
	TicketNumber string   `json:"ticket_number,omitempty"`
	// TicketDepartment is where the rating's ticket is now: who may see the rating
	// (User.SeesRating). Not shown.
	TicketDepartment string `json:"-"`
}

// MaskPhone shows a mobile's first three and last four digits: 138****1234. A
// shorter number (a fixed line, 83231234) shows at most its last four, so that
// at least four digits stay hidden; under eight, none.
func MaskPhone(p string) string {
	r := []rune(p)
	switch {
	case len(r) < 8:
		return "****"
	case len(r) < 11:
		return "****" + string(r[len(r)-4:])
	}
	return string(r[:3]) + "****" + string(r[len(r)-4:])
}
