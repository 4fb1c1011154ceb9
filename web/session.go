package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"rectify/domain"
	"rectify/server"
	"rectify/store"
)

// sess is the signed-in user of a request, with the raw cookie value the page
// passes on when it calls the API.
type sess struct {
	store.Session
	raw string
}

const (
	sessionCookieName = server.SessionCookie
	sessKey           = "web.session"
	expiredKey        = "web.session_expired"
	csrfField         = "_csrf"
	loginCookie       = "rectify_login" // the sign-in form's CSRF token, before there is a session
)

func sessionOf(c echo.Context) *sess {
	s, _ := c.Get(sessKey).(*sess)
	return s
}

// session resolves the session cookie, if any. An unknown, expired or idle session
// is dropped and remembered, so the sign-in page can say why.
func (w *Web) session(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ck, err := c.Cookie(sessionCookieName)
		if err != nil || ck.Value == "" {
			return next(c)
		}
		ss, err := w.Store.SessionByToken(c.Request().Context(), ck.Value)
		switch {
		case err == nil:
			c.Set(sessKey, &sess{Session: ss, raw: ck.Value})
		case domain.KindOf(err) == domain.KindUnauthorized:
			c.Set(expiredKey, true)
			clearCookie(c, sessionCookieName, "/")
		default:
			return w.fail(c, err)
		}
		return next(c)
	}
}

// require lets through signed-in users of the given roles. A form must carry the
// session's CSRF token. Anyone signed out is sent to sign in (pages) or refused
// (forms); a signed-in user of another role gets 403.
func (w *Web) require(roles ...domain.Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			s := sessionOf(c)
			r := c.Request()
			if s == nil {
				if r.Method == http.MethodGet {
					q := url.Values{"next": {r.URL.RequestURI()}}
					if c.Get(expiredKey) != nil {
						q.Set("expired", "1")
					}
					return c.Redirect(http.StatusSeeOther, "/login?"+q.Encode())
				}
				return w.failStatus(c, http.StatusUnauthorized, "err.401")
			}
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				if !sameOrigin(r) || !tokensEqual(c.FormValue(csrfField), s.CSRFToken) {
					return w.failStatus(c, http.StatusForbidden, "err.csrf")
				}
			}
			if !slices.Contains(roles, s.User.Role) {
				return w.failStatus(c, http.StatusForbidden, "err.403")
			}
			return next(c)
		}
	}
}

// sameOrigin refuses a form posted from another site when the browser says where
// it came from; the CSRF token is the real check, this is belt and braces.
func sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" || o == "null" {
		return o == ""
	}
	u, err := url.Parse(o)
	return err == nil && u.Host == r.Host
}

func tokensEqual(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// randomToken returns 256 random bits, URL-safe.
func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func setCookie(c echo.Context, name, value, path string, maxAge int, sameSite http.SameSite) {
	c.SetCookie(&http.Cookie{Name: name, Value: value, Path: path, MaxAge: maxAge, HttpOnly: true,
		Secure: c.Scheme() == "https", SameSite: sameSite})
}

func clearCookie(c echo.Context, name, path string) {
	setCookie(c, name, "", path, -1, http.SameSiteLaxMode)
}

// localPath keeps a post-sign-in redirect on this site: a path of its own, never
// one a browser could read as another host. Browsers drop tabs and newlines
// anywhere in a URL and read a backslash as '/', so "/\t/evil.example" is
// "//evil.example" to them: any control character or backslash is refused.
func localPath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "/login") {
		return ""
	}
	for _, r := range p {
		if r < 0x20 || r == 0x7f || r == '\\' {
			return ""
		}
	}
	u, err := url.Parse(p)
	if err != nil || strings.HasPrefix(p, "//") || u.Scheme != "" || u.Host != "" || u.User != nil {
		return ""
	}
	return p
}
