package notify

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"rectify/store"
)

// smsSegment is what one SMS carries in UCS-2, the encoding any Chinese text
// forces: 70 characters; a longer text goes out (and is billed) as several.
const smsSegment = 70

// TestCitizenSMSLengths renders every message with realistic inputs (a real
// department's long name, a report that ends in "。", a province's base URL, a
// real 43-character token) and measures what the citizen receives (issue 17 item
// 11: the survey SMS ran to ~168 characters, and a report ending in "。" gave
// "…。。").
func TestCitizenSMSLengths(t *testing.T) {
	due := time.Date(2026, 12, 3, 18, 0, 0, 0, time.UTC)
	token := base64.RawURLEncoding.EncodeToString(make([]byte, 32))
	tc := store.TicketContext{Number: "GD20261203000123", DepartmentCode: "320100-ZJJ",
		DepartmentName: "南京市住房和城乡建设局", CitizenPhone: "13812341234", Round: 2, DueAt: &due,
		Report: "已对窗口人员进行批评教育，实行一次性告知制度，并在大厅公示材料清单。"}
	for _, base := range []string{"https://hcp.jszwfw.gov.cn", "https://rectify.example.gov.cn"} {
		r := Renderer{BaseURL: base, Zone: time.UTC}
		for _, kind := range []string{"dispatched", "reminder", "overdue", "escalated", "urged", "returned",
			"supervisor", "extension", "survey"} {
			for _, n := range r.Render(kind, tc.Number+":7", tc, token) {
				if strings.Contains(n.Body, "。。") || strings.Contains(n.Body, "，。") {
					t.Errorf("%s to %s: doubled punctuation: %q", kind, n.Channel, n.Body)
				}
				if n.Channel != "sms" {
					continue
				}
				got := utf8.RuneCountInString(n.Body)
				switch kind {
				case "survey":
					// The link (base + /s/ + 43) cannot fit in one SMS with any
					// words; the words are held to at most 35 characters, so the
					// message is two SMS at most.
					words := strings.TrimSuffix(n.Body, base+"/s/"+token)
					if w := utf8.RuneCountInString(words); w > 35 || words == n.Body {
						t.Errorf("survey SMS words %q: %d characters, want the link last and at most 35", words, w)
					}
					if got > 2*67 { // a concatenated SMS carries 67 characters per part
						t.Errorf("survey SMS %q: %d characters, more than two SMS", n.Body, got)
					}
				default:
					if got > smsSegment {
						t.Errorf("%s SMS %q: %d characters, want at most %d (one SMS)", kind, n.Body, got, smsSegment)
					}
				}
				t.Logf("%s SMS (%s): %d characters: %s", kind, base, got, n.Body)
			}
		}
	}
}
