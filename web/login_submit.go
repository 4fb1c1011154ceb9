package web

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"golang.org/x/crypto/bcrypt"

	"rectify/domain"
	"rectify/server"
	"rectify/store"
)

// dummyHash is compared against when the user does not exist, so that a wrong
// username takes as long as a wrong password.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("not a password"), bcrypt.DefaultCost)

// loginSubmit checks the password, counts failures towards a lockout, and on
// success starts a new session (a fresh cookie each time: no fixation).
func (w *Web) loginSubmit(c echo.Context) error {
	ctx := c.Request().Context()
	p := w.newPage(c, "login", nil)
	username := strings.TrimSpace(c.FormValue("username"))
	next := localPath(c.FormValue("next"))
	refuse := func(status int, msg string) error {
		p.Errors = []string{msg}
		return w.renderLogin(c, status, p, username, next)
	}
	ck, err := c.Cookie(loginCookie)
	if err != nil || !tokensEqual(c.FormValue(csrfField), ck.Value) || !sameOrigin(c.Request()) {
		return refuse(http.StatusForbidden, p.L.T("login.stale"))
	}
	if ok, wait := w.loginLimit.Allow(server.ClientIP(c)); !ok {
		c.Response().Header().Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(wait.Seconds())))))
		return refuse(http.StatusTooManyRequests, p.L.T("login.throttled"))
	}
	password := c.FormValue("password")
	lu, err := w.Store.UserForLogin(ctx, username)
	if domain.KindOf(err) == domain.KindNotFound || username == "" {
		_ = bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		return refuse(http.StatusUnauthorized, p.L.T("login.failed"))
	}
	if err != nil {
		return w.fail(c, err)
	}
	if lu.LockedUntil != nil {
		return refuse(http.StatusTooManyRequests, p.L.T("login.locked", w.fmtTime(*lu.LockedUntil)))
	}
	// The attempt is counted before the password is compared (see BeginLogin).
	ok, until, err := w.Store.BeginLogin(ctx, username, w.Policy.MaxFailedLogins, w.Policy.LockFor)
	if err != nil {
		return w.fail(c, err)
	}
	if !ok {
		return refuse(http.StatusTooManyRequests, p.L.T("login.locked", w.fmtTime(*until)))
	}
	// Settled even if the client hangs up: the count must match what was compared.
	ctx = context.WithoutCancel(ctx)
	if bcrypt.CompareHashAndPassword([]byte(lu.PasswordHash), []byte(password)) != nil {
		until, err := w.Store.RecordFailedLogin(ctx, username, w.Policy.MaxFailedLogins)
		if err != nil {
			return w.fail(c, err)
		}
		if until != nil {
			w.Log.Warn("sign-in locked after repeated failures", "username", username)
			return refuse(http.StatusTooManyRequests, p.L.T("login.locked", w.fmtTime(*until)))
		}
		return refuse(http.StatusUnauthorized, p.L.T("login.failed"))
	}
	if lu.Role == domain.RoleChannel {
		return refuse(http.StatusForbidden, p.L.T("login.channel"))
	}
	if err := w.Store.ResetFailedLogins(ctx, username); err != nil {
		return w.fail(c, err)
	}
	token := randomToken()
	err = w.Store.CreateSession(ctx, store.NewSession{Token: token, Username: lu.Username, CSRFToken: randomToken(),
		TTL: w.Policy.SessionTTL, IdleTimeout: w.Policy.IdleTimeout})
	if err != nil {
		return w.fail(c, err)
	}
	setCookie(c, sessionCookieName, token, "/", int(w.Policy.SessionTTL.Seconds()), http.SameSiteLaxMode)
	clearCookie(c, loginCookie, "/login")
	if next == "" {
		next = homeOf(lu.Role)
	}
	return c.Redirect(http.StatusSeeOther, next)
}
