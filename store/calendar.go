package store

import (
	"context"

	"github.com/jackc/pgx/v5"

	"rectify/calendar"
)

// CalendarOverride is an admin's correction to the holiday data.
type CalendarOverride struct {
	Date string // 2006-01-02
	Kind string // holiday | workday
	Name string
}

func (s *Store) ListCalendarOverrides(ctx context.Context) (os []CalendarOverride, err error) {
	defer wrap(&err, "store.ListCalendarOverrides")
	rows, err := s.pool.Query(ctx, `SELECT to_char(date, 'YYYY-MM-DD'), kind, name FROM calendar_overrides ORDER BY date`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[CalendarOverride])
}

func (s *Store) PutCalendarOverride(ctx context.Context, o CalendarOverride, by string) (err error) {
	defer wrap(&err, "store.PutCalendarOverride")
	_, err = s.pool.Exec(ctx, `INSERT INTO calendar_overrides (date, kind, name, updated_by) VALUES ($1, $2, $3, $4)
		ON CONFLICT (date) DO UPDATE SET kind = excluded.kind, name = excluded.name, updated_by = excluded.updated_by, updated_at = now()`,
		o.Date, o.Kind, o.Name, by)
	return err
}

// DeleteCalendarOverride removes an override; it reports whether one existed.
func (s *Store) DeleteCalendarOverride(ctx context.Context, date string) (found bool, err error) {
	defer wrap(&err, "store.DeleteCalendarOverride")
	tag, err := s.pool.Exec(ctx, `DELETE FROM calendar_overrides WHERE date = $1`, date)
	return tag.RowsAffected() > 0, err
}

// LoadCalendarOverrides installs the stored overrides into cal. Every process calls
// it at start and periodically; the API also calls it right after a change.
func (s *Store) LoadCalendarOverrides(ctx context.Context, cal *calendar.Calendar) error {
	os, err := s.ListCalendarOverrides(ctx)
	if err != nil {
		return err
	}
	days := make([]calendar.Day, len(os))
	for i, o := range os {
		days[i] = calendar.Day{Date: o.Date, Kind: calendar.Kind(o.Kind), Name: o.Name}
	}
	return cal.SetOverrides(days)
}
