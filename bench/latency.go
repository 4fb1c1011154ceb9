package bench

import (
	"slices"
	"sync"
	"time"
)

// Latencies collects durations from many goroutines.
type Latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

// Add records one duration.
func (l *Latencies) Add(d time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, d)
	l.mu.Unlock()
}

// Since records the time since start.
func (l *Latencies) Since(start time.Time) { l.Add(time.Since(start)) }

// Merge adds all of o's durations.
func (l *Latencies) Merge(o *Latencies) {
	o.mu.Lock()
	d := slices.Clone(o.d)
	o.mu.Unlock()
	l.mu.Lock()
	l.d = append(l.d, d...)
	l.mu.Unlock()
}

// N is the number of durations.
func (l *Latencies) N() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.d)
}

// Quantiles returns the given quantiles (0..1), nearest rank; zero when empty.
func (l *Latencies) Quantiles(qs ...float64) []time.Duration {
	l.mu.Lock()
	d := slices.Clone(l.d)
	l.mu.Unlock()
	slices.Sort(d)
	out := make([]time.Duration, len(qs))
	for i, q := range qs {
		out[i] = quantile(d, q)
	}
	return out
}

// quantile of sorted d by nearest rank.
func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	k := int(q*float64(len(sorted))+0.999999) - 1
	k = max(0, min(k, len(sorted)-1))
	return sorted[k]
}
