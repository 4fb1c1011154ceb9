package topics

// DailyReadsOnly makes reads ignore topic_monthly (every day from topic_daily),
// for tests comparing the two paths; the returned func restores monthly reads.
func DailyReadsOnly() (restore func()) {
	monthlyReads = false
	return func() { monthlyReads = true }
}
