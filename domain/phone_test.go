package domain

import "testing"

// A number shorter than a mobile shows at most its last four digits (issue 15
// item 12: 83231234 came out as 832****1234, hiding one digit); mobiles keep
// 138****1234.
func TestMaskPhone(t *testing.T) {
	for in, want := range map[string]string{
		"13812341234":    "138****1234",
		"83231234":       "****1234",
		"025832312":      "****2312",
		"0258323123":     "****3123",
		"02583231234":    "025****1234",
		"+8613812341234": "+86****1234",
		"1234567":        "****",
		"":               "****",
	} {
		if got := MaskPhone(in); got != want {
			t.Errorf("MaskPhone(%q) = %q, want %q", in, got, want)
		}
	}
}
