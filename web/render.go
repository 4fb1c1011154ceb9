package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"rectify/domain"
)

// page is what every template gets: the chrome's facts plus the page's own Data.
type page struct {
	L      Lang
	Sess   *sess // nil on public pages
	Nav    string
	Title  string
	Flash  string
	Errors []string
	Path   string // this page's address, for the language switch
	Brand  string // a public page's own name in the header (the survey: the service's); empty: the workbench's
	Data   any
	// The notice centre's link in the header: shown to roles with notices,
	// with the user's unread count (notices.go).
	Notices bool
	Unread  int
}

// CSRF is the token forms carry.
func (p *page) CSRF() string {
	if p.Sess == nil {
		return ""
	}
	return p.Sess.CSRFToken
}

// User is the signed-in user, or the zero user.
func (p *page) User() domain.User {
	if p.Sess == nil {
		return domain.User{}
	}
	return p.Sess.User
}

// pagerView is a pager with the words of its links.
type pagerView struct {
	pager
	L Lang
}

// Pager readies a list's pager for the "pager" template.
func (p *page) Pager(pg pager) pagerView { return pagerView{pager: pg, L: p.L} }

// Is reports whether the user has the role.
func (p *page) Is(role string) bool { return p.Sess != nil && string(p.Sess.User.Role) == role }

func (w *Web) newPage(c echo.Context, nav string, data any) *page {
	p := &page{L: langOf(c), Sess: sessionOf(c), Nav: nav, Path: c.Request().URL.RequestURI(), Data: data}
	p.Flash = takeFlash(c, p.L)
	if p.Sess != nil {
		u := p.Sess.User
		if _, _, ok := u.NoticeScope(); ok {
			p.Notices = true
			n, err := w.Services.Notices.Unread(c.Request().Context(), u)
			if err != nil {
				w.Log.Warn("counting unread notices", "err", err) // the page still renders, without the count
			}
			p.Unread = n
		}
	}
	return p
}

type pageTemplate = *template.Template

// mustParsePages parses each page with the shared layout and partials into its
// own set, so pages may all define "content" without clashing.
func mustParsePages(funcs template.FuncMap) map[string]pageTemplate {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	shared := []string{"templates/layout.html", "templates/partials.html"}
	pages := map[string]pageTemplate{}
	for _, n := range names {
		if n == shared[0] || n == shared[1] {
			continue
		}
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		// A page's own partials (templates/<page>/*.html), kept apart so that
		// sections of one page can change without touching its main file.
		own, err := fs.Glob(templateFS, "templates/"+name+"/*.html")
		if err != nil {
			panic(err)
		}
		files := append(append(append([]string{}, shared...), n), own...)
		pages[name] = template.Must(template.New(name).Funcs(funcs).ParseFS(templateFS, files...))
	}
	return pages
}

func (w *Web) funcs() template.FuncMap {
	return template.FuncMap{
		"static":  w.staticURL,
		"idemKey": newIdemKey,
		"when": func(t any) string {
			switch v := t.(type) {
			case time.Time:
				return w.fmtTime(v)
			case *time.Time:
				if v == nil {
					return "—"
				}
				return w.fmtTime(*v)
			}
			return ""
		},
		"short": func(s string, n int) string {
			r := []rune(s)
			if len(r) <= n {
				return s
			}
			return string(r[:n]) + "…"
		},
		"join": strings.Join,
		// kept is what the user typed into field of the action form that came
		// back refused, empty for the page's other forms.
		"kept": func(form map[string]string, action, field string) string {
			if form["_action"] != action {
				return ""
			}
			return form[field]
		},
		// dict builds a partial's argument from pairs: dict "L" $L "R" .
		"dict": func(kv ...any) map[string]any {
			m := map[string]any{}
			for i := 0; i+1 < len(kv); i += 2 {
				m[fmt.Sprint(kv[i])] = kv[i+1]
			}
			return m
		},
		"str":      func(v any) string { return fmt.Sprint(v) },
		"initials": pinyinInitials,
		// deptName shows a department field's value as its name when it is a
		// known code (the picker shows names, the URL carries codes).
		"deptName": func(ds []domain.Department, v string) string {
			for _, d := range ds {
				if d.Code == v {
					return d.Name
				}
			}
			return v
		},
	}
}

func (w *Web) fmtTime(t time.Time) string {
	return t.In(w.Calendar.Location()).Format("2006-01-02 15:04")
}

// render writes a page. Pages carry personal data: never cached, framed or
// allowed to run scripts from anywhere but here.
func (w *Web) render(c echo.Context, status int, name string, p *page) error {
	t, ok := w.pages[name]
	if !ok {
		return fmt.Errorf("web: no template %q", name)
	}
	if p.Title == "" {
		p.Title = p.L.T("app.name")
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		w.Log.Error("render", "page", name, "err", err)
		return c.String(http.StatusInternalServerError, p.L.T("err.500"))
	}
	if name != "ticket" && p.Sess != nil {
		rememberSection(c, p.Nav)
	}
	h := c.Response().Header()
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
		"form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("Cache-Control", "no-store")
	// same-origin, not the API's no-referrer: with no-referrer, browsers send
	// "Origin: null" on this site's own forms, and sameOrigin must refuse null.
	h.Set("Referrer-Policy", "same-origin")
	return c.HTMLBlob(status, buf.Bytes())
}

// failStatus renders the error page with one message.
func (w *Web) failStatus(c echo.Context, status int, key string) error {
	p := w.newPage(c, "", nil)
	p.Title = p.L.T("err.title")
	p.Errors = []string{p.L.T(key)}
	return w.render(c, status, "error", p)
}

// fail renders err as a page: domain errors by kind, faults as 500 (logged).
func (w *Web) fail(c echo.Context, err error) error {
	k := domain.KindOf(err)
	status := map[domain.Kind]int{domain.KindBadRequest: 400, domain.KindUnauthorized: 401, domain.KindForbidden: 403,
		domain.KindNotFound: 404, domain.KindConflict: 409, domain.KindGone: 410, domain.KindInvalid: 422,
		domain.KindUnavailable: 503}[k]
	if status == 0 {
		status = http.StatusInternalServerError
	}
	if status >= 500 {
		w.Log.Error("page failed", "path", c.Path(), "err", err)
	}
	return w.failStatus(c, status, fmt.Sprintf("err.%d", status))
}

// Flash messages survive one redirect in a cookie. Only catalog keys and a plain
// argument (a ticket number) are accepted back, so the cookie cannot put words
// on the page.
const flashCookie = "rectify_flash"

var flashArg = regexp.MustCompile(`^[A-Za-z0-9_.-]{0,64}$`)

func setFlash(c echo.Context, key, arg string) {
	setCookie(c, flashCookie, url.QueryEscape(key+"|"+arg), "/", 60, http.SameSiteLaxMode)
}

func takeFlash(c echo.Context, l Lang) string {
	ck, err := c.Cookie(flashCookie)
	if err != nil {
		return ""
	}
	clearCookie(c, flashCookie, "/")
	v, err := url.QueryUnescape(ck.Value)
	if err != nil {
		return ""
	}
	key, arg, _ := strings.Cut(v, "|")
	if !known(key) || !flashArg.MatchString(arg) {
		return ""
	}
	if strings.Contains(catalog[key][0], "%s") {
		return l.T(key, arg)
	}
	return l.T(key)
}

// redirectDone sends the browser back to a page after a change, with a message.
func redirectDone(c echo.Context, to, key, arg string) error {
	setFlash(c, key, arg)
	return c.Redirect(http.StatusSeeOther, to)
}
