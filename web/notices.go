package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"rectify/domain"
	"rectify/services"
	"rectify/store"
)

type noticesData struct {
	Notices []store.Notice
	Pager   pager
	Unread  bool   // only unread ones are listed
	Help    string // whose notices these are
	AllURL  string
	NewURL  string
}

// notices is the notice centre: the signed-in user's notices (their
// department's, or the supervisors'), newest first, with their own read marks.
func (w *Web) notices(c echo.Context) error {
	q := services.NoticeQuery{UnreadOnly: c.QueryParam("unread") == "1", Limit: w.Policy.PageSize}
	if v := c.QueryParam("cursor"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			return w.failStatus(c, http.StatusBadRequest, "err.400")
		}
		q.Cursor = n
	}
	np, err := w.Services.Notices.List(c.Request().Context(), sessionOf(c).User, q)
	if err != nil {
		return w.fail(c, err)
	}
	if np.Channel == "" { // someone without notices of their own
		return w.failStatus(c, http.StatusForbidden, "err.403")
	}
	p := w.newPage(c, "notices", nil)
	p.Title = p.L.T("notices.title")
	nextCursor := ""
	if np.Next != 0 {
		nextCursor = strconv.FormatInt(np.Next, 10)
	}
	p.Data = noticesData{Notices: np.Notices, Pager: pagerOf(c, nextCursor), Unread: q.UnreadOnly, Help: p.L.T("notices.help." + np.Channel),
		AllURL: "/notices", NewURL: "/notices?unread=1"}
	return w.render(c, http.StatusOK, "notices", p)
}

// backToNotices is the list the user marked from (all or unread only).
func backToNotices(c echo.Context) string {
	if c.FormValue("unread") == "1" {
		return "/notices?" + url.Values{"unread": {"1"}}.Encode()
	}
	return "/notices"
}

// noticeRead marks one notice read (services.Notices.MarkRead).
func (w *Web) noticeRead(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err == nil {
		err = w.Services.Notices.MarkRead(c.Request().Context(), sessionOf(c).User, id)
	} else {
		err = domain.ErrNotFound
	}
	if err != nil {
		res := w.refusal(c, err)
		return w.failStatus(c, res.Status, "err."+strconv.Itoa(res.Status))
	}
	return redirectDone(c, backToNotices(c), "notices.marked", "")
}

// noticesReadAll marks every notice of the user read (services.Notices.MarkAllRead).
func (w *Web) noticesReadAll(c echo.Context) error {
	if _, err := w.Services.Notices.MarkAllRead(c.Request().Context(), sessionOf(c).User); err != nil {
		res := w.refusal(c, err)
		return w.failStatus(c, res.Status, "err."+strconv.Itoa(res.Status))
	}
	return redirectDone(c, backToNotices(c), "notices.marked_all", "")
}
