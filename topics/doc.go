// Package topics finds what citizens write about in rating comments (聚焦"好评"经验
// 和"差评"问题): it segments each comment into terms once, off the request path,
// counts the ratings mentioning each term in daily rollups, and answers the top
// terms of a period with their change and example comments (GET
// /api/v1/stats/topics, the analytics page's 差评热点 and 好评经验).
//
// # Terms
//
// gse (github.com/go-ego/gse, pure Go, embedded dictionary) cuts a comment; the
// built-in DomainTerms and an admin's topic_words keep government-service words
// whole (一网通办, 容缺受理); stop words, single characters and anything with a
// digit are dropped, so a typed phone number is never a term. A rating counts
// once per term however often its comment repeats it.
//
// # Counting
//
// Migration 0014_topics: a statement trigger queues each new rating with a
// comment; the worker's drainer (RunDrainer) segments a batch per transaction
// into rating_terms and adds to topic_daily, by day, department, service item,
// hall and sentiment (positive: the two upper levels; neutral: 基本满意; negative:
// the two lower). Ratings whose appeal was upheld are out, as in every statistic.
// Migration 0015_topic_monthly adds topic_monthly, the whole months before
// topic_watermark.through (closed by the drainer once a month is over), so a
// year's read sums twelve months and the edge days, not 365 days.
// Reads segment the still-queued ratings of their slice themselves, so answers are
// exact to the last committed rating.
//
// # Privacy
//
// Examples go through Mask (digit runs of seven or more, ID numbers, e-mail, a
// self-introduced name, the rater's stored name) and the visibility rule of
// domain/visibility.go; a department never gets an anonymous rater's rating id
// or the time of day.
package topics
