package server

import (
	"bytes"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"rectify/domain"
	"rectify/stats"
	"rectify/topics"
)

// topicsAPI serves what citizens write about (package topics): the top terms of
// a period with examples, their exports, and the admin's dictionary words.
type topicsAPI struct {
	s   *Server
	svc *topics.Service
}

// registerTopics adds GET /stats/topics (as the other statistics: department
// users their own department only; its downloads go through /stats/:name, like
// the others', to topicsExport) and /topics/words (the admin's additions to the
// segmenter's dictionary).
func (s *Server) registerTopics(api *echo.Group) {
	h := &topicsAPI{s: s, svc: &topics.Service{DB: s.Store.Pool()}}
	readers := []domain.Role{domain.RoleAdmin, domain.RoleSupervisor, domain.RoleDepartment}
	api.GET("/stats/topics", h.top, allow(readers...))
	api.GET("/topics/words", h.words, allow(domain.RoleAdmin, domain.RoleSupervisor))
	api.PUT("/topics/words/:word", h.putWord, allow(domain.RoleAdmin), limit(maxBody))
	api.DELETE("/topics/words/:word", h.deleteWord, allow(domain.RoleAdmin))
}

var topicsParams = []string{"from", "to", "department_code", "service_item_code", "hall_code", "sentiment", "limit"}

// TopicsFilter reads the topics query of c for its user: the statistics'
// period and department rule, then the slice, sentiment and limit.
func TopicsFilter(c echo.Context, now time.Time) (topics.Filter, error) {
	var stray []domain.FieldError
	for q := range c.QueryParams() {
		if !slices.Contains(topicsParams, q) {
			stray = append(stray, domain.FieldError{Field: q, Message: "not a parameter of topics"})
		}
	}
	if stray != nil {
		slices.SortFunc(stray, func(a, b domain.FieldError) int { return strings.Compare(a.Field, b.Field) })
		return topics.Filter{}, domain.Invalid("unknown_parameter", stray)
	}
	sf, err := statsFilter(c, now)
	if err != nil {
		return topics.Filter{}, err
	}
	var fs []domain.FieldError
	f := topics.Filter{From: sf.From, To: sf.To, Department: sf.Department,
		ServiceItem: c.QueryParam("service_item_code"), Hall: c.QueryParam("hall_code"), Viewer: userOf(c)}
	switch s := topics.Sentiment(c.QueryParam("sentiment")); s {
	case "", topics.Negative, topics.Positive:
		f.Sentiment = s
	default:
		fs = append(fs, domain.FieldError{Field: "sentiment", Message: "one of negative, positive"})
	}
	f.Limit = intParam(c, "limit", 10, 1, 50, &fs)
	if fs != nil {
		return f, badParams(fs)
	}
	return f, nil
}

// topicsExport serves /stats/topics.csv and .xlsx for the statistics' route.
func (s *Server) topicsExport(c echo.Context) error {
	return (&topicsAPI{s: s, svc: &topics.Service{DB: s.Store.Pool()}}).top(c)
}

func (h *topicsAPI) top(c echo.Context) error {
	ctx := c.Request().Context()
	f, err := TopicsFilter(c, h.s.clock())
	if err != nil {
		return err
	}
	ts, err := h.svc.Top(ctx, f)
	if err != nil {
		return err
	}
	if ts == nil {
		ts = []topics.Topic{}
	}
	sf := stats.Filter{From: f.From, To: f.To, Department: f.Department}
	_, format, _ := strings.Cut(c.Param("name"), ".")
	switch format {
	case "csv":
		var b bytes.Buffer
		if err := stats.WriteCSV(&b, topics.Sheet(f, ts)); err != nil {
			return err
		}
		return (&statsAPI{s: h.s}).attachment(c, "topics", topics.Sheet(f, ts).Name, sf, "csv", "text/csv; charset=utf-8", b.Bytes())
	case "xlsx":
		var b bytes.Buffer
		if err := stats.WriteXLSX(&b, topics.Sheet(f, ts)); err != nil {
			return err
		}
		return (&statsAPI{s: h.s}).attachment(c, "topics", topics.Sheet(f, ts).Name, sf, "xlsx",
			"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b.Bytes())
	}
	return c.JSON(http.StatusOK, map[string]any{"from": f.From.Format(time.DateOnly), "to": f.To.Format(time.DateOnly),
		"sentiment": f.Sentiment, "topics": ts})
}

func (h *topicsAPI) words(c echo.Context) error {
	ws, err := h.svc.Words(c.Request().Context())
	if err != nil {
		return err
	}
	if ws == nil {
		ws = []topics.Word{}
	}
	return c.JSON(http.StatusOK, map[string]any{"words": ws})
}

type wordIn struct {
	Kind *string `json:"kind"`
}

// putWord adds a term the segmenter keeps whole ("term") or a word never
// counted ("stop"), for comments segmented from now on.
func (h *topicsAPI) putWord(c echo.Context) error {
	var in wordIn
	if err := decodeStrict(c, &in); err != nil {
		return err
	}
	if in.Kind == nil {
		return domain.Invalid("invalid_word", []domain.FieldError{{Field: "kind", Message: "required: term or stop"}})
	}
	w, err := h.svc.PutWord(c.Request().Context(), c.Param("word"), *in.Kind, userOf(c).Username)
	if err != nil {
		return err
	}
	if err := h.s.audit(c, "topic_word.put", w.Word, w); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, w)
}

func (h *topicsAPI) deleteWord(c echo.Context) error {
	if err := h.svc.DeleteWord(c.Request().Context(), c.Param("word")); err != nil {
		return err
	}
	if err := h.s.audit(c, "topic_word.delete", c.Param("word"), nil); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
