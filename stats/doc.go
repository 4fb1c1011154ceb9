// Package stats is rectify's quantitative analysis (量化分析): the figures
// supervisors rank departments by and report upward, read from rollups that the
// database keeps current as ratings and tickets change (migration 0003_stats), so no
// request ever scans the ratings.
//
// # Slices and periods
//
// Every figure is for a range of Asia/Shanghai calendar days [From, To], both
// included, and one slice: department, service item, channel, region (6-digit
// administrative code), staff member or aspect. A rating belongs to the day of its
// rated_at. A ticket's figures belong to its rating's day and slice: a row reads
// "the ratings given in the period and the tickets they opened", so every rate has
// its numerator and denominator from the same ratings. A rating that names several
// aspects counts once under each.
//
// # Metrics
//
// Ratings whose appeal was upheld (ratings.excluded) are out of every figure,
// together with their tickets.
//
//   - total, by_level: ratings per level.
//   - satisfaction_rate (好评率): the three upper levels over total.
//   - negative_rate (差评率): dissatisfied and very dissatisfied over total.
//   - score: the weighted mean of the levels, 10/8/6/3/0 unless the settings say
//     otherwise (PUT /api/v1/stats/settings).
//   - tickets: negative ratings; each opened one ticket.
//   - rectified (已整改): tickets resolved (a rectification report) at least once;
//     rectification_rate = rectified / tickets (差评整改率).
//   - rectified_on_time (按期整改): rectified, and every report came at or before the
//     deadline of its rectify stage (extensions included); on_time_rate over tickets.
//   - real_name_tickets: tickets of real-name ratings with a phone, the ones that
//     must be followed up; followed_up (已回访): the citizen was reached at least once
//     (survey answered, or a call logged as reached); followup_rate over
//     real_name_tickets (回访率).
//   - satisfied_after_followup (整改满意): tickets closed as satisfied at a follow-up;
//     satisfied_after_followup_rate over followed_up (整改满意率).
//   - avg_rectify_working_days: over rectified tickets, working days from the
//     ticket's creation to its first report, counted as deadlines are (the day of
//     receipt excluded, the day of the report included; holidays and 调休 from the
//     calendar).
//   - returns, extensions, reopened: tickets returned (退单), granted an extension
//     (延期), or sent back by an unsatisfied citizen for another round (重新交办) at
//     least once; each rate over tickets.
//   - overdue: tickets open and overdue now (超期未办结), whatever the period.
//
// # How the rollups stay current
//
// Triggers append per-statement deltas in the writers' own transactions (cheap,
// never a hot row); Fold moves them into daily and monthly rollups; queries add
// monthly rows for whole months, daily rows for the edges and the deltas not yet
// folded, all in one snapshot, so answers are exact to the last committed rating.
package stats
