package server

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"rectify/domain"
	"rectify/stats"
)

// statsAPI serves the statistics (量化分析) of the stats package: tables by
// dimension, red/black lists, trends, their CSV and Excel exports, and the settings.
type statsAPI struct {
	s        *Server
	svc      *stats.Service
	syncOnce sync.Once
}

// statsTables maps each table's URL name to its dimension; the JSON answer lists
// the rows under the same name.
var statsTables = map[string]stats.Dim{
	"departments":   stats.Department,
	"service_items": stats.ServiceItem,
	"channels":      stats.Channel,
	"regions":       stats.Region,
	"staff":         stats.Staff,
	"aspects":       stats.Aspect,
}

// registerStats adds GET /stats/{table}[.csv|.xlsx] for the tables, rankings and
// trends, and GET/PUT /stats/settings. Department users see their own department only.
func (s *Server) registerStats(api *echo.Group) {
	h := &statsAPI{s: s, svc: &stats.Service{DB: s.Store.Pool()}}
	readers := []domain.Role{domain.RoleAdmin, domain.RoleSupervisor, domain.RoleDepartment}
	supervisors := []domain.Role{domain.RoleAdmin, domain.RoleSupervisor}
	api.GET("/stats/settings", h.getSettings, allow(supervisors...))
	api.PUT("/stats/settings", h.putSettings, allow(supervisors...), limit(maxBody))
	// Each JSON answer has its own path, so the document can give each its own
	// shape (issue 16 item 12); the downloads share /stats/{name}.csv|.xlsx.
	for _, name := range statsNames {
		api.GET("/stats/"+name, h.get, allow(readers...))
	}
	api.GET("/stats/:name", h.get, allow(readers...))
}

// statsNames are the JSON answers: the tables, the rankings and the trends.
var statsNames = []string{"departments", "service_items", "channels", "regions", "staff", "aspects", "rankings", "trends"}

// statsParams are the query parameters each answer takes beyond from and to;
// any other is 422, so a client's typo or a parameter of another table is not
// silently ignored.
func statsParams(name string) []string {
	switch name {
	case "rankings":
		return []string{"department_code", "metric", "min_volume", "limit"}
	case "trends":
		return []string{"department_code", "period"}
	}
	return []string{"department_code"}
}

func (h *statsAPI) get(c echo.Context) error {
	ctx := c.Request().Context()
	name, format := strings.TrimPrefix(c.Path(), "/api/v1/stats/"), ""
	if c.Param("name") != "" {
		// The download route: a bare name is not one (its JSON path is static).
		name, format, _ = strings.Cut(c.Param("name"), ".")
		if format != "csv" && format != "xlsx" {
			return domain.ErrNotFound
		}
	}
	if name == "topics" && format != "" {
		return h.s.topicsExport(c) // topics.go
	}
	if _, table := statsTables[name]; !table && name != "rankings" && name != "trends" {
		return domain.ErrNotFound
	}
	var stray []domain.FieldError
	for q := range c.QueryParams() {
		if q != "from" && q != "to" && !slices.Contains(statsParams(name), q) {
			stray = append(stray, domain.FieldError{Field: q, Message: "not a parameter of " + name})
		}
	}
	if stray != nil {
		slices.SortFunc(stray, func(a, b domain.FieldError) int { return strings.Compare(a.Field, b.Field) })
		return domain.Invalid("unknown_parameter", stray)
	}
	h.syncCalendar(ctx)
	f, err := statsFilter(c, h.s.clock())
	if err != nil {
		return err
	}
	set, err := h.svc.Settings(ctx)
	if err != nil {
		return err
	}
	var (
		body  any
		sheet stats.Sheet
	)
	switch name {
	case "rankings":
		body, sheet, err = h.rankings(c, f, set)
	case "trends":
		body, sheet, err = h.trends(c, f, set)
	default:
		body, sheet, err = h.table(ctx, name, statsTables[name], f, set)
	}
	if err != nil {
		return err
	}
	switch format {
	case "csv":
		var b bytes.Buffer
		if err := stats.WriteCSV(&b, sheet); err != nil {
			return err
		}
		return h.attachment(c, name, sheet.Name, f, "csv", "text/csv; charset=utf-8", b.Bytes())
	case "xlsx":
		var b bytes.Buffer
		if err := stats.WriteXLSX(&b, sheet); err != nil {
			return err
		}
		return h.attachment(c, name, sheet.Name, f, "xlsx",
			"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b.Bytes())
	}
	return c.JSON(http.StatusOK, body)
}

func (h *statsAPI) table(ctx context.Context, name string, dim stats.Dim, f stats.Filter, set stats.Settings) (any, stats.Sheet, error) {
	rows, err := h.svc.Table(ctx, dim, f, set.Weights)
	if err != nil {
		return nil, stats.Sheet{}, err
	}
	if dim == stats.Aspect {
		// The aspects most often named in negative ratings come first.
		sort.SliceStable(rows, func(i, j int) bool {
			if rows[i].Tickets != rows[j].Tickets {
				return rows[i].Tickets > rows[j].Tickets
			}
			return rows[i].Total > rows[j].Total
		})
	}
	if rows == nil {
		rows = []stats.Row{}
	}
	body := map[string]any{"from": f.From.Format(time.DateOnly), "to": f.To.Format(time.DateOnly), name: rows}
	return body, stats.TableSheet(dim, rows), nil
}

func (h *statsAPI) rankings(c echo.Context, f stats.Filter, set stats.Settings) (any, stats.Sheet, error) {
	if userOf(c).Role == domain.RoleDepartment {
		return nil, stats.Sheet{}, domain.ErrForbidden // the lists show other departments
	}
	var fs []domain.FieldError
	metric := stats.RankMetrics[0]
	if m := c.QueryParam("metric"); m != "" {
		var ok bool
		if metric, ok = stats.RankMetric(m); !ok {
			names := make([]string, len(stats.RankMetrics))
			for i, r := range stats.RankMetrics {
				names[i] = r.Name
			}
			fs = append(fs, domain.FieldError{Field: "metric", Message: "one of " + strings.Join(names, ", ")})
		}
	}
	minVolume := intParam(c, "min_volume", set.MinVolume, 0, 1_000_000, &fs)
	lim := intParam(c, "limit", 10, 1, 100, &fs)
	if fs != nil {
		return nil, stats.Sheet{}, badParams(fs)
	}
	r, err := h.svc.Rank(c.Request().Context(), metric, f, set.Weights, minVolume, lim)
	if err != nil {
		return nil, stats.Sheet{}, err
	}
	body := map[string]any{"from": f.From.Format(time.DateOnly), "to": f.To.Format(time.DateOnly),
		"metric": r.Metric, "min_volume": r.MinVolume, "ranked": r.Ranked, "unranked": r.Unranked,
		"red": r.Red, "black": r.Black}
	return body, stats.RankingSheet(r), nil
}

func (h *statsAPI) trends(c echo.Context, f stats.Filter, set stats.Settings) (any, stats.Sheet, error) {
	p := stats.Period(c.QueryParam("period"))
	if p == "" {
		p = stats.Daily
	}
	if !p.Valid() {
		return nil, stats.Sheet{}, badParams([]domain.FieldError{{Field: "period", Message: "one of day, week, month"}})
	}
	pts, err := h.svc.Trend(c.Request().Context(), p, f, set.Weights)
	if err != nil {
		return nil, stats.Sheet{}, err
	}
	body := map[string]any{"from": f.From.Format(time.DateOnly), "to": f.To.Format(time.DateOnly),
		"period": p, "department_code": f.Department, "points": pts}
	return body, stats.TrendSheet(p, pts), nil
}

// statsFilter reads from, to (dates, or RFC 3339 times taken as their Shanghai
// day; default: the 30 days up to now) and department_code, which department
// users may only set to their own.
func statsFilter(c echo.Context, now time.Time) (stats.Filter, error) {
	var fs []domain.FieldError
	today := stats.Day(now)
	f := stats.Filter{To: today, From: today.AddDate(0, 0, -29), Department: c.QueryParam("department_code")}
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		// A "+08:00" offset sent unescaped arrives as " 08:00".
		v := strings.ReplaceAll(c.QueryParam(p.name), " ", "+")
		if v == "" {
			continue
		}
		if d, err := time.Parse(time.DateOnly, v); err == nil {
			*p.dst = d
		} else if t, err := time.Parse(time.RFC3339, v); err == nil {
			*p.dst = stats.Day(t)
		} else {
			fs = append(fs, domain.FieldError{Field: p.name, Message: "a date (2026-01-31) or an RFC 3339 time"})
		}
	}
	if fs == nil && f.To.Before(f.From) {
		fs = append(fs, domain.FieldError{Field: "to", Message: "before from"})
	}
	if fs == nil && f.To.Sub(f.From) > stats.MaxDays*24*time.Hour {
		fs = append(fs, domain.FieldError{Field: "to", Message: fmt.Sprintf("more than %d days after from", stats.MaxDays)})
	}
	if fs != nil {
		return f, badParams(fs)
	}
	dept, ok := userOf(c).DepartmentScope(f.Department)
	if !ok {
		return f, domain.ErrForbidden
	}
	f.Department = dept
	return f, nil
}

func intParam(c echo.Context, name string, def, lo, hi int, fs *[]domain.FieldError) int {
	v := c.QueryParam(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		*fs = append(*fs, domain.FieldError{Field: name, Message: fmt.Sprintf("must be %d to %d", lo, hi)})
	}
	return n
}

func badParams(fs []domain.FieldError) error {
	return &domain.Error{Kind: domain.KindBadRequest, Code: "bad_parameter", Message: fs[0].Field + ": " + fs[0].Message, Fields: fs}
}

// attachment sends an export under an ASCII file name, with the Chinese title as
// the UTF-8 name browsers prefer.
func (h *statsAPI) attachment(c echo.Context, name, title string, f stats.Filter, ext, ctype string, b []byte) error {
	span := f.From.Format("20060102") + "-" + f.To.Format("20060102")
	ascii := fmt.Sprintf("%s_%s.%s", name, span, ext)
	utf := url.PathEscape(fmt.Sprintf("%s_%s.%s", title, span, ext))
	c.Response().Header().Set(echo.HeaderContentDisposition,
		fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, ascii, utf))
	return c.Blob(http.StatusOK, ctype, b)
}

// syncCalendar copies the calendar's working days to the database once per
// process, for the rectification working days the triggers count.
func (h *statsAPI) syncCalendar(ctx context.Context) {
	if h.s.Calendar == nil {
		return
	}
	h.syncOnce.Do(func() {
		if err := stats.SyncCalendar(context.WithoutCancel(ctx), h.s.Store.Pool(), h.s.Calendar); err != nil {
			h.s.Log.Warn("copying the calendar for statistics", "err", err)
		}
	})
}

type settingsIn struct {
	Weights   *[]float64 `json:"weights"`
	MinVolume *int       `json:"min_volume"`
}

func (h *statsAPI) getSettings(c echo.Context) error {
	set, err := h.svc.Settings(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, set)
}

// putSettings changes the weights (five, best level first) and/or the minimum volume.
func (h *statsAPI) putSettings(c echo.Context) error {
	ctx := c.Request().Context()
	var in settingsIn
	if err := decodeStrict(c, &in); err != nil {
		return err
	}
	set, err := h.svc.Settings(ctx)
	if err != nil {
		return err
	}
	var fs []domain.FieldError
	if in.Weights != nil {
		if len(*in.Weights) != len(set.Weights) {
			fs = append(fs, domain.FieldError{Field: "weights", Message: "five numbers, very_satisfied first"})
		} else {
			copy(set.Weights[:], *in.Weights)
		}
	}
	if in.MinVolume != nil {
		set.MinVolume = *in.MinVolume
	}
	if fs == nil {
		if err := set.Validate(); err != nil {
			field := "weights"
			if strings.HasPrefix(err.Error(), "min_volume") {
				field = "min_volume"
			}
			fs = append(fs, domain.FieldError{Field: field, Message: err.Error()})
		}
	}
	if fs != nil {
		return domain.Invalid("invalid_settings", fs)
	}
	if err := h.svc.PutSettings(ctx, set, userOf(c).Username); err != nil {
		return err
	}
	if err := h.s.audit(c, "stats_settings.put", "stats_settings", set); err != nil {
		return err
	}
	return h.getSettings(c)
}
