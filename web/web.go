// Package web is rectify's browser interface: sign-in, the workbenches of
// departments, the call center and supervisors, the admin pages and the citizen's
// survey page. Pages are rendered on the server from html/template files embedded
// in the binary and parsed once at start.
//
// Pages read through the store, scoped to what the signed-in user may see. Every
// change a page makes is a call of the application services (package services),
// the same methods the API adapts, so roles, validation and the workflow path
// have one implementation; a refusal is said as the API's would be (failed).
package web

import (
	"embed"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"rectify/calendar"
	"rectify/domain"
	"rectify/server"
	"rectify/services"
	"rectify/stats"
	"rectify/store"
	"rectify/telemetry"
	"rectify/topics"
)

//go:embed templates/*.html templates/analytics/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Policy holds the sign-in rules; zero fields take the defaults.
type Policy struct {
	MaxFailedLogins int           // wrong passwords in a row before a lockout (default 5)
	LockFor         time.Duration // how long a lockout lasts (default 15m)
	SessionTTL      time.Duration // a session's longest life (default 12h)
	IdleTimeout     time.Duration // a session ends after this long unused (default 2h)
	PageSize        int           // rows per list page (default 20)
	// Sign-in attempts per client address: LoginBurst at once, then one every
	// LoginEvery (defaults 40 and 1s). Offices share an address, so it is generous;
	// it bounds password spraying across accounts and the bcrypt work one client causes.
	LoginBurst int
	LoginEvery time.Duration
}

func (p Policy) withDefaults() Policy {
	if p.MaxFailedLogins <= 0 {
		p.MaxFailedLogins = 5
	}
	if p.LockFor <= 0 {
		p.LockFor = 15 * time.Minute
	}
	if p.SessionTTL <= 0 {
		p.SessionTTL = 12 * time.Hour
	}
	if p.IdleTimeout <= 0 {
		p.IdleTimeout = 2 * time.Hour
	}
	if p.PageSize <= 0 {
		p.PageSize = 20
	}
	if p.LoginBurst <= 0 {
		p.LoginBurst = 40
	}
	if p.LoginEvery <= 0 {
		p.LoginEvery = time.Second
	}
	return p
}

// Deps are what the pages need.
type Deps struct {
	Store    *store.Store
	Calendar *calendar.Calendar
	// Services is the application layer the pages' forms call (the same one the
	// API adapts); nil: built from Store and Calendar.
	Services *services.Services
	Log      *slog.Logger
	Policy   Policy
	Now      func() time.Time // nil: time.Now
	// ServiceName heads the citizen's survey page (config survey.service_name);
	// empty: 政务服务好差评.
	ServiceName string
	// CompressedDay is how long a working day lasts on the demo clock
	// (calendar.mode compressed); 0 in real time. Days overdue are counted on it.
	CompressedDay time.Duration
	// Metrics counts the ticket actions taken on the pages (source "web") beside
	// the API's; nil: not counted.
	Metrics *telemetry.Metrics
}

// Web holds the parsed pages and their dependencies.
type Web struct {
	Deps
	pages      map[string]pageTemplate
	static     map[string]staticFile
	loginLimit *server.RateLimiter // sign-in attempts per client address
	stats      *stats.Service      // the analytics page's figures
	topics     *topics.Service     // the analytics page's 差评热点 and 好评经验
}

// Register adds the pages to e. It panics on a broken template: a binary that
// cannot render its pages must not start.
func Register(e *echo.Echo, d Deps) *Web {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.ServiceName == "" {
		d.ServiceName = "政务服务好差评"
	}
	if d.Services == nil {
		d.Services = services.New(services.Deps{Store: d.Store, Calendar: d.Calendar, Log: d.Log, Now: d.Now})
	}
	d.Policy = d.Policy.withDefaults()
	w := &Web{Deps: d, loginLimit: server.NewRateLimiter(1/d.Policy.LoginEvery.Seconds(), d.Policy.LoginBurst),
		stats: &stats.Service{DB: d.Store.Pool()}, topics: &topics.Service{DB: d.Store.Pool()}}
	w.static = loadStatic()
	w.pages = mustParsePages(w.funcs())

	e.GET("/static/:name", w.serveStatic)
	e.GET("/lang/:lang", w.switchLang)
	e.GET("/login", w.loginPage)
	e.POST("/login", w.loginSubmit)
	e.GET("/s/:token", w.surveyPage)
	e.POST("/s/:token", w.surveyAnswer)

	staff := []domain.Role{domain.RoleAdmin, domain.RoleSupervisor, domain.RoleCallCenter, domain.RoleDepartment}
	admin := []domain.Role{domain.RoleAdmin}
	callcenter := []domain.Role{domain.RoleCallCenter}
	// Per-route middleware rather than a group: an echo group would add catch-all
	// routes that also swallow the API's unknown paths.
	route := func(method, path string, h echo.HandlerFunc, roles ...domain.Role) {
		e.Add(method, path, h, w.session, w.require(roles...))
	}
	route(http.MethodPost, "/logout", w.logout, staff...)
	route(http.MethodGet, "/", w.home, staff...)
	route(http.MethodGet, "/dept", w.deptInbox, domain.RoleDepartment)
	route(http.MethodGet, "/callcenter", w.callCenter, callcenter...)
	route(http.MethodGet, "/callcenter/rating", w.ratingForm, callcenter...)
	route(http.MethodPost, "/callcenter/rating", w.ratingSave, callcenter...)
	route(http.MethodGet, "/callcenter/callbacks", w.callbackQueue, callcenter...)
	route(http.MethodGet, "/callcenter/callbacks/:id", w.callbackCall, callcenter...)
	route(http.MethodPost, "/callcenter/callbacks/:id/log", w.callbackLog, callcenter...)
	route(http.MethodGet, "/supervisor", w.supervisorBoard, domain.RoleSupervisor, domain.RoleAdmin)
	route(http.MethodGet, "/tickets", w.ticketSearch, staff...)
	route(http.MethodGet, "/analytics", w.analytics, domain.RoleSupervisor, domain.RoleAdmin, domain.RoleDepartment)
	route(http.MethodGet, "/analytics/mentions", w.analyticsMentions, domain.RoleSupervisor, domain.RoleAdmin, domain.RoleDepartment)
	route(http.MethodGet, "/tickets/:number", w.ticketShow, staff...)
	route(http.MethodPost, "/tickets/:number/reveal", w.ticketReveal, callcenter...)
	route(http.MethodPost, "/tickets/:number/:action", w.ticketAction, staff...)
	route(http.MethodGet, "/admin/departments", w.adminDepartments, admin...)
	route(http.MethodPost, "/admin/departments", w.adminDepartmentSave, admin...)
	route(http.MethodGet, "/admin/users", w.adminUsers, admin...)
	route(http.MethodPost, "/admin/users", w.adminUserSave, admin...)
	route(http.MethodPost, "/admin/users/:username/tokens", w.adminTokenCreate, admin...)
	route(http.MethodPost, "/admin/users/:username/unlock", w.adminUserUnlock, admin...)
	route(http.MethodPost, "/admin/users/:username/disable", w.adminUserDisable, admin...)
	route(http.MethodGet, "/admin/audit", w.adminAudit, admin...)
	notices := []domain.Role{domain.RoleDepartment, domain.RoleSupervisor, domain.RoleAdmin}
	route(http.MethodGet, "/notices", w.notices, notices...)
	route(http.MethodPost, "/notices/read-all", w.noticesReadAll, notices...)
	route(http.MethodPost, "/notices/:id/read", w.noticeRead, notices...)
	route(http.MethodPost, "/admin/robots", w.adminRobotSave, admin...)
	route(http.MethodPost, "/admin/departments/:code/robot/delete", w.adminRobotDelete, admin...)
	route(http.MethodGet, "/account/password", w.accountPassword, staff...)
	route(http.MethodPost, "/account/password", w.accountPasswordSave, staff...)
	route(http.MethodGet, "/admin/calendar", w.adminCalendar, admin...)
	route(http.MethodPost, "/admin/calendar", w.adminCalendarSave, admin...)
	route(http.MethodPost, "/admin/calendar/:date/delete", w.adminCalendarDelete, admin...)
	return w
}

// homeOf is where each role starts.
func homeOf(r domain.Role) string {
	switch r {
	case domain.RoleDepartment:
		return "/dept"
	case domain.RoleCallCenter:
		return "/callcenter"
	case domain.RoleSupervisor:
		return "/supervisor"
	case domain.RoleAdmin:
		return "/admin/users"
	}
	return "/login"
}

func (w *Web) home(c echo.Context) error {
	return c.Redirect(http.StatusSeeOther, homeOf(sessionOf(c).User.Role))
}
