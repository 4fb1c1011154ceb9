package stats

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"rectify/calendar"
	"rectify/domain"
)

// Dim is a dimension statistics are sliced by.
type Dim string

const (
	Department  Dim = "department"
	ServiceItem Dim = "service_item"
	Channel     Dim = "channel"
	Region      Dim = "region"
	Staff       Dim = "staff"
	Aspect      Dim = "aspect"
)

// Dims lists every dimension.
var Dims = []Dim{Department, ServiceItem, Channel, Region, Staff, Aspect}

// perDepartment reports whether the dimension's keys live inside a department
// (service items, staff) and so are listed per department; channels, regions and
// aspects are summed across departments.
func (d Dim) perDepartment() bool { return d == Department || d == ServiceItem || d == Staff }

// keyField is the JSON name of the dimension's key.
func (d Dim) keyField() string {
	switch d {
	case ServiceItem:
		return "service_item_code"
	case Region:
		return "region_code"
	case Staff:
		return "staff_id"
	}
	return string(d)
}

// deltaKey is the expression of the dimension's key over stats_delta d; aspects
// are unnested by deltaFrom.
func (d Dim) deltaKey() string {
	switch d {
	case ServiceItem:
		return "d.service_item_code"
	case Channel:
		return "d.channel"
	case Region:
		return "d.region_code"
	case Staff:
		return "d.staff_id"
	case Aspect:
		return "a.key"
	}
	return "''"
}

func (d Dim) deltaFrom() string {
	if d == Aspect {
		return "stats_delta d CROSS JOIN LATERAL (SELECT DISTINCT unnest(d.aspects)) AS a(key)"
	}
	return "stats_delta d"
}

// Filter chooses the days and, optionally, one department.
type Filter struct {
	From, To   time.Time // calendar days in Asia/Shanghai, both included (only the date part counts)
	Department string    // "" for all
}

// Span is the filter's days as instants: [From 00:00, the day after To 00:00)
// in Zone, for tables keyed by a timestamp rather than a day.
func (f Filter) Span() (from, to time.Time) {
	at := func(d time.Time) time.Time { return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, Zone) }
	return at(f.From), at(f.To.AddDate(0, 0, 1))
}

// Zone is where statistics' days begin and end.
var Zone = calendar.MustZone("Asia/Shanghai")

// Day returns the Asia/Shanghai calendar day of t, as midnight UTC (how pgx reads
// and writes a date).
func Day(t time.Time) time.Time {
	y, m, d := t.In(Zone).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func date(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// span splits [from, to] into whole months [m1, m2) read from the monthly rollup
// and the edge days around them read from the daily one. Without a whole month,
// m1 == m2 == to+1 and the daily rollup covers everything.
func span(from, to time.Time) (m1, m2 time.Time) {
	end := to.AddDate(0, 0, 1)
	m1 = time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC)
	if m1.Before(from) {
		m1 = m1.AddDate(0, 1, 0)
	}
	m2 = time.Date(end.Year(), end.Month(), 1, 0, 0, 0, 0, time.UTC)
	if !m1.Before(m2) {
		return end, end
	}
	return m1, m2
}

// Service answers statistics questions from the rollups.
type Service struct {
	DB *pgxpool.Pool
}

// queryPlan is the sources one query sums: rollup rows and unfolded deltas, with a
// bucket (the period they belong to) for trends.
type queryPlan struct {
	dim     Dim
	f       Filter
	bucket  Period // "" for none
	monthly bool   // read closed whole months from stats_monthly
}

// sql builds the union of the plan's sources, columns: bucket, department_code,
// key, then the counters. Whole months [m1, m2) inside the range come from
// stats_monthly as far as it goes (stats_watermark.through); the days before m1,
// and from the cut on, from stats_daily; deltas of any day in the range are added.
// Args: $1 dim, $2 from, $3 to, $4 m1, $5 m2, [$6 department].
func (p queryPlan) sql() (string, []any) {
	from, to := date(p.f.From), date(p.f.To)
	m1, m2 := to.AddDate(0, 0, 1), to.AddDate(0, 0, 1)
	if p.monthly {
		m1, m2 = span(from, to)
	}
	args := []any{string(p.dim), from, to, m1, m2}
	dept := ""
	if p.f.Department != "" {
		args = append(args, p.f.Department)
		dept = " AND department_code = $6"
	}
	bucket := func(col string) string {
		switch p.bucket {
		case "":
			return "NULL::date"
		case Daily:
			return col
		}
		return fmt.Sprintf("date_trunc('%s', %s)::date", p.bucket.trunc(), col)
	}
	const cut = `(SELECT greatest($4::date, least($5::date, w.through)) FROM stats_watermark w)`
	parts := []string{
		`SELECT ` + bucket("month") + ` AS bucket, department_code, key, ` + counterColumns + `
			FROM stats_monthly WHERE dim = $1 AND month >= $4 AND month < ` + cut + dept,
		`SELECT ` + bucket("day") + ` AS bucket, department_code, key, ` + counterColumns + `
			FROM stats_daily WHERE dim = $1 AND day >= $2 AND day < $4` + dept,
		`SELECT ` + bucket("day") + ` AS bucket, department_code, key, ` + counterColumns + `
			FROM stats_daily WHERE dim = $1 AND day >= ` + cut + ` AND day <= $3` + dept,
		`SELECT ` + bucket("d.day") + ` AS bucket, d.department_code, ` + p.dim.deltaKey() + `, ` + deltaCounterColumns + `
			FROM ` + p.dim.deltaFrom() + ` WHERE d.day >= $2 AND d.day <= $3` +
			strings.ReplaceAll(dept, "department_code", "d.department_code"),
	}
	return strings.Join(parts, "\nUNION ALL\n"), args
}

// query runs q in a read-only transaction without JIT: the aggregates are small
// and quick, and compiling them would cost more than running them.
func (s *Service) query(ctx context.Context, q string, args []any, scan func(pgx.Rows) error) error {
	return pgx.BeginTxFunc(ctx, s.DB, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SET LOCAL jit = off"); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if err := scan(rows); err != nil {
				return err
			}
		}
		return rows.Err()
	})
}

// Table sums dim over the filter: one row per department for Department, per
// (department, key) for service items and staff, per key otherwise.
func (s *Service) Table(ctx context.Context, dim Dim, f Filter, w Weights) (rows []Row, err error) {
	defer wrap(&err, "stats.Table(%s)", dim)
	if err := f.check(); err != nil {
		return nil, err
	}
	src, args := queryPlan{dim: dim, f: f, monthly: true}.sql()
	group := "department_code, key"
	if !dim.perDepartment() {
		group = "''::text, key"
	}
	q := `SELECT ` + group + `, ` + counterSums + ` FROM (` + src + `) s GROUP BY 1, 2 ORDER BY 1, 2`
	err = s.query(ctx, q, args, func(r pgx.Rows) error {
		row := Row{Dim: dim}
		if err := r.Scan(append([]any{&row.DepartmentCode, &row.Key}, row.Counts.scanTargets()...)...); err != nil {
			return err
		}
		if row.Counts == (Counts{}) {
			return nil // everything in it was taken out again (upheld appeals)
		}
		row.Metrics = row.Counts.Metrics(w)
		rows = append(rows, row)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return rows, s.name(ctx, rows)
}

// name fills in department names.
func (s *Service) name(ctx context.Context, rows []Row) error {
	if len(rows) == 0 || rows[0].DepartmentCode == "" {
		return nil
	}
	names := map[string]string{}
	dbRows, err := s.DB.Query(ctx, `SELECT code, name FROM departments`)
	if err != nil {
		return err
	}
	defer dbRows.Close()
	for dbRows.Next() {
		var code, name string
		if err := dbRows.Scan(&code, &name); err != nil {
			return err
		}
		names[code] = name
	}
	for i := range rows {
		rows[i].DepartmentName = names[rows[i].DepartmentCode]
	}
	return dbRows.Err()
}

// Period is a trend's step.
type Period string

const (
	Daily   Period = "day"
	Weekly  Period = "week" // ISO weeks, from Monday
	Monthly Period = "month"
)

func (p Period) trunc() string { return string(p) }

// Valid reports whether p is a known period.
func (p Period) Valid() bool { return p == Daily || p == Weekly || p == Monthly }

// Point is one period of a trend. Start is the period's first day; the first and
// last points may cover only the part of their period inside the filter.
type Point struct {
	Start  time.Time
	Counts Counts
	Metrics
}

// Trend sums the department rollup per period: the whole province, or one
// department with f.Department.
func (s *Service) Trend(ctx context.Context, p Period, f Filter, w Weights) (pts []Point, err error) {
	defer wrap(&err, "stats.Trend(%s)", p)
	if !p.Valid() {
		return nil, fmt.Errorf("unknown period %q", p)
	}
	if err := f.check(); err != nil {
		return nil, err
	}
	src, args := queryPlan{dim: Department, f: f, bucket: p, monthly: p == Monthly}.sql()
	q := `SELECT bucket, ` + counterSums + ` FROM (` + src + `) s GROUP BY 1 ORDER BY 1`
	byStart := map[time.Time]Counts{}
	err = s.query(ctx, q, args, func(r pgx.Rows) error {
		var (
			start time.Time
			c     Counts
		)
		if err := r.Scan(append([]any{&start}, c.scanTargets()...)...); err != nil {
			return err
		}
		byStart[start] = c
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Every period of the range appears, empty ones as zeros, so a chart's axis has
	// no gaps.
	for start := p.start(date(f.From)); !start.After(date(f.To)); start = p.next(start) {
		c := byStart[start]
		pts = append(pts, Point{Start: start, Counts: c, Metrics: c.Metrics(w)})
	}
	sort.Slice(pts, func(i, j int) bool { return pts[i].Start.Before(pts[j].Start) })
	return pts, nil
}

// MarshalJSON writes {"period_start": "2026-01-05", ...metrics}.
func (p Point) MarshalJSON() ([]byte, error) {
	m, err := json.Marshal(p.Metrics)
	if err != nil {
		return nil, err
	}
	return append([]byte(`{"period_start":"`+p.Start.Format(time.DateOnly)+`",`), m[1:]...), nil
}

func (p Period) start(d time.Time) time.Time {
	switch p {
	case Weekly:
		return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
	case Monthly:
		return time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	return d
}

func (p Period) next(d time.Time) time.Time {
	switch p {
	case Weekly:
		return d.AddDate(0, 0, 7)
	case Monthly:
		return d.AddDate(0, 1, 0)
	}
	return d.AddDate(0, 0, 1)
}

// MaxDays bounds a filter's range: ten years of days.
const MaxDays = 3660

func (f Filter) check() error {
	bad := func(msg string, args ...any) error {
		return domain.E(domain.KindBadRequest, "bad_parameter", msg, args...)
	}
	switch {
	case f.From.IsZero() || f.To.IsZero():
		return bad("from, to: required")
	case date(f.To).Before(date(f.From)):
		return bad("to: before from")
	case date(f.To).Sub(date(f.From)) > MaxDays*24*time.Hour:
		return bad("to: more than %d days after from", MaxDays)
	}
	return nil
}

// wrap prefixes a non-nil error with where it happened.
func wrap(errp *error, format string, args ...any) {
	if *errp != nil {
		*errp = fmt.Errorf(format+": %w", append(args, *errp)...)
	}
}
