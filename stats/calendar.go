package stats

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"rectify/calendar"
)

// SyncCalendar copies the working-day exceptions of every year the calendar has
// data for, from 2019 to two years ahead, into stats_calendar: the triggers count
// rectification working days in SQL. The migration carries lunar-go's data up to
// 2027; this brings later years once the module (or an admin) adds them.
// Admin overrides are read live from calendar_overrides and need no copy.
func SyncCalendar(ctx context.Context, db interface {
	Begin(context.Context) (pgx.Tx, error)
}, cal *calendar.Calendar) (err error) {
	defer wrap(&err, "stats.SyncCalendar")
	tx, err := db.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	last := time.Now().In(Zone).Year() + 2
	for y := 2019; y <= last; y++ {
		days, _, err := cal.Year(y)
		if err != nil {
			continue // no data: the SQL falls back to Monday–Friday, as before
		}
		dates, working := make([]string, len(days)), make([]bool, len(days))
		for i, d := range days {
			dates[i], working[i] = d.Date, d.Kind == calendar.Workday
		}
		if _, err := tx.Exec(ctx, `
			DELETE FROM stats_calendar WHERE date >= make_date($1, 1, 1) AND date < make_date($1 + 1, 1, 1)
			  AND date <> ALL ($2::date[])`, y, dates); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO stats_calendar (date, working) SELECT * FROM unnest($1::date[], $2::bool[])
			ON CONFLICT (date) DO UPDATE SET working = excluded.working`, dates, working); err != nil {
			return err
		}
	}
	return tx.Commit(ctx)
}
