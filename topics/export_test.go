package topics

import "time"

// DailyReadsOnly makes reads ignore topic_monthly (every day from topic_daily),
// for tests comparing the two paths; the returned func restores monthly reads.
func DailyReadsOnly() (restore func()) {
	monthlyReads = false
	return func() { monthlyReads = true }
}

// QueuedSince backdates when the drainer first saw the queue waiting.
func (d *Drainer) QueuedSince(t time.Time) { d.since = t }
