package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

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
	u := sessionOf(c).User
	channel, recipient, ok := u.NoticeScope()
	if !ok {
		return w.failStatus(c, http.StatusForbidden, "err.403")
	}
	var cursor int64
	if v := c.QueryParam("cursor"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			return w.failStatus(c, http.StatusBadRequest, "err.400")
		}
		cursor = n
	}
	unread := c.QueryParam("unread") == "1"
	ns, next, err := w.Store.ListNotices(c.Request().Context(), store.NoticeFilter{Username: u.Username, Channel: channel,
		Recipient: recipient, UnreadOnly: unread, Limit: w.Policy.PageSize, Cursor: cursor})
	if err != nil {
		return w.fail(c, err)
	}
	p := w.newPage(c, "notices", nil)
	p.Title = p.L.T("notices.title")
	nextCursor := ""
	if next != 0 {
		nextCursor = strconv.FormatInt(next, 10)
	}
	p.Data = noticesData{Notices: ns, Pager: pagerOf(c, nextCursor), Unread: unread, Help: p.L.T("notices.help." + channel),
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

// noticeRead posts to the API's POST /api/v1/notifications/{id}/read.
func (w *Web) noticeRead(c echo.Context) error {
	res := w.callAPI(c, http.MethodPost, "/api/v1/notifications/"+url.PathEscape(c.Param("id"))+"/read", nil)
	if !res.ok() {
		return w.failStatus(c, res.Status, "err."+strconv.Itoa(res.Status))
	}
	return redirectDone(c, backToNotices(c), "notices.marked", "")
}

// noticesReadAll posts to the API's POST /api/v1/notifications/read-all.
func (w *Web) noticesReadAll(c echo.Context) error {
	res := w.callAPI(c, http.MethodPost, "/api/v1/notifications/read-all", nil)
	if !res.ok() {
		return w.failStatus(c, res.Status, "err."+strconv.Itoa(res.Status))
	}
	return redirectDone(c, backToNotices(c), "notices.marked_all", "")
}
