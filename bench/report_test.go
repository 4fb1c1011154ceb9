package bench

import (
	"testing"
	"time"
)

func TestReplaceSection(t *testing.T) {
	tests := []struct {
		name, text, title, body, want string
	}{
		{"appends when missing", "# B\n\n## Statistics\nkept\n", "Open tickets", "## Open tickets\nnew\n",
			"# B\n\n## Statistics\nkept\n\n## Open tickets\nnew\n"},
		{"replaces in the middle, keeps the rest", "# B\n\n## Open tickets\nold\nold\n\n## Statistics\nkept\n", "Open tickets", "## Open tickets\nnew\n",
			"# B\n\n## Open tickets\nnew\n\n## Statistics\nkept\n"},
		{"replaces at the end", "# B\n\n## Statistics\nkept\n\n## Open tickets\nold\n", "Open tickets", "## Open tickets\nnew\n",
			"# B\n\n## Statistics\nkept\n\n## Open tickets\nnew\n"},
		{"does not match a longer title", "## Open tickets, notes\nkept\n", "Open tickets", "## Open tickets\nnew\n",
			"## Open tickets, notes\nkept\n\n## Open tickets\nnew\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := replaceSection(tt.text, tt.title, tt.body); got != tt.want {
				t.Errorf("got\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestQuantiles(t *testing.T) {
	var l Latencies
	for i := 1; i <= 100; i++ {
		l.Add(time.Duration(i) * time.Millisecond)
	}
	got := l.Quantiles(0.5, 0.95, 0.99, 1)
	want := []time.Duration{50 * time.Millisecond, 95 * time.Millisecond, 99 * time.Millisecond, 100 * time.Millisecond}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("quantile %d: got %s, want %s", i, got[i], want[i])
		}
	}
	var empty Latencies
	if got := empty.Quantiles(0.5)[0]; got != 0 {
		t.Errorf("empty: got %s, want 0", got)
	}
}

func TestCompactSequence(t *testing.T) {
	got := compactSequence([]string{"A", "B", "B", "B", "C"})
	if want := "a, b×3, c"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
