package services

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"rectify/calendar"
	"rectify/domain"
	"rectify/store"
)

// Administration: departments, users and their access (tokens, passwords,
// disabling), the working-day calendar's overrides and the departments' group
// robots. Every change is an admin's and is audited; the audit write is part of
// the change: when it fails, the caller hears so (the change itself has happened).

// CodePattern is what a code (department, username, rating id prefix) may look
// like: letters, digits, _ . -, up to 64.
var CodePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)

// OnAccessChange registers f to run after each change that may end someone's
// access or add a rating source (a revoked token, a disabled user, a new user),
// so whoever caches credentials or sources (the API's token and source caches)
// forgets them at once.
func (a *Admin) OnAccessChange(f func()) { a.watch.add(f) }

func (a *Admin) accessChanged() {
	for _, f := range a.watch.list() {
		f()
	}
}

// change runs do as actor, who must be an admin, and audits it.
func (a *Admin) change(ctx context.Context, actor domain.User, action, target string, detail any, do func() error) error {
	if err := admin(actor); err != nil {
		return err
	}
	if err := do(); err != nil {
		return err
	}
	return a.audit(ctx, actor, action, target, detail)
}

// admin refuses anyone but an admin.
func admin(actor domain.User) error {
	if actor.Role != domain.RoleAdmin {
		return domain.ErrForbidden
	}
	return nil
}

func (a *Admin) audit(ctx context.Context, actor domain.User, action, target string, detail any) error {
	return a.Store.Audit(ctx, actor.Username, action, target, detail)
}

// CreateDepartment registers a department.
func (a *Admin) CreateDepartment(ctx context.Context, actor domain.User, d domain.Department) (domain.Department, error) {
	if err := admin(actor); err != nil {
		return d, err
	}
	var fs []domain.FieldError
	if !CodePattern.MatchString(d.Code) {
		fs = append(fs, domain.FieldError{Field: "code", Message: "required: letters, digits, _ . -, up to 64"})
	}
	if n := len([]rune(strings.TrimSpace(d.Name))); n == 0 || n > 200 {
		fs = append(fs, domain.FieldError{Field: "name", Message: "required, up to 200 characters"})
	}
	if fs != nil {
		return d, domain.Invalid("invalid_department", fs)
	}
	if err := a.Store.CreateDepartment(ctx, d); err != nil {
		return d, err
	}
	return d, a.audit(ctx, actor, "department.create", "department:"+d.Code, map[string]string{"name": d.Name})
}

// Departments lists every department (any signed-in user may read them).
func (a *Admin) Departments(ctx context.Context) ([]domain.Department, error) {
	return a.Store.ListDepartments(ctx)
}

// NewUser is a user to create, as POST /api/v1/users names its fields.
type NewUser struct {
	Username       string      `json:"username"`
	Password       string      `json:"password"`
	Role           domain.Role `json:"role"`
	DepartmentCode string      `json:"department_code"` // a department's code, or its exact name
	DisplayName    string      `json:"display_name"`
	// For role channel: the channel and id prefix its ratings must carry.
	Channel        domain.Channel `json:"channel"`
	RatingIDPrefix string         `json:"rating_id_prefix"`
}

// CreateUser creates a user with a password (bcrypt-hashed).
func (a *Admin) CreateUser(ctx context.Context, actor domain.User, nu NewUser) (domain.User, error) {
	if err := admin(actor); err != nil {
		return domain.User{}, err
	}
	var fs []domain.FieldError
	if !CodePattern.MatchString(nu.Username) {
		fs = append(fs, domain.FieldError{Field: "username", Message: "required: letters, digits, _ . -, up to 64"})
	}
	if len(nu.Password) < 8 || len(nu.Password) > 72 { // bcrypt reads at most 72 bytes
		fs = append(fs, domain.FieldError{Field: "password", Message: "must be 8 to 72 bytes"})
	}
	if !nu.Role.Valid() {
		fs = append(fs, domain.FieldError{Field: "role", Message: "must be one of admin, supervisor, callcenter, department, channel"})
	}
	switch {
	case nu.Role == domain.RoleDepartment && nu.DepartmentCode == "":
		fs = append(fs, domain.FieldError{Field: "department_code", Message: "required for role department"})
	case nu.Role != domain.RoleDepartment && nu.DepartmentCode != "":
		fs = append(fs, domain.FieldError{Field: "department_code", Message: "only for role department"})
	case nu.DepartmentCode != "":
		code, ok, err := a.Store.ResolveDepartment(ctx, nu.DepartmentCode)
		if err != nil {
			return domain.User{}, err
		}
		if ok {
			nu.DepartmentCode = code
		} else {
			fs = append(fs, domain.FieldError{Field: "department_code", Message: "unknown department"})
		}
	}
	fs = append(fs, checkBinding(nu)...)
	if fs != nil {
		return domain.User{}, domain.Invalid("invalid_user", fs)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(nu.Password), bcrypt.DefaultCost)
	if err != nil {
		return domain.User{}, err
	}
	u := domain.User{Username: nu.Username, Role: nu.Role, DepartmentCode: nu.DepartmentCode, DisplayName: nu.DisplayName,
		Channel: nu.Channel, RatingIDPrefix: nu.RatingIDPrefix}
	if err := a.Store.CreateUser(ctx, u, string(hash)); err != nil {
		return domain.User{}, err
	}
	a.accessChanged() // a bound channel user reserves its id prefix from now on
	return u, a.audit(ctx, actor, "user.create", "user:"+u.Username, map[string]string{"role": string(u.Role),
		"department_code": u.DepartmentCode, "channel": string(u.Channel), "rating_id_prefix": u.RatingIDPrefix})
}

// checkBinding validates the binding fields of a new user (issue 15, item 13).
// Rating ids are one global key, the idempotency key of API.md, so a source that
// could use any id could take another source's next id first or probe whether it
// exists. A channel user may therefore be bound, at creation, to its channel and
// an id prefix no other source's prefix overlaps: it submits that channel with
// ids in its prefix only, and nobody else may use an id in its prefix
// (Ratings.Accept applies the binding).
func checkBinding(nu NewUser) []domain.FieldError {
	var fs []domain.FieldError
	bad := func(field, msg string) { fs = append(fs, domain.FieldError{Field: field, Message: msg}) }
	if nu.Role != domain.RoleChannel {
		if nu.Channel != "" {
			bad("channel", "only for role channel")
		}
		if nu.RatingIDPrefix != "" {
			bad("rating_id_prefix", "only for role channel")
		}
		return fs
	}
	if nu.Channel != "" && !nu.Channel.Valid() {
		bad("channel", "must be one of web, hall, mobile, kiosk, hotline")
	}
	switch p := nu.RatingIDPrefix; {
	case p == "":
	case nu.Channel == "":
		bad("rating_id_prefix", "needs channel")
	case len(p) < 3 || len(p) > 32 || !CodePattern.MatchString(p):
		bad("rating_id_prefix", "3 to 32 letters, digits, _ . -")
	}
	return fs
}

// Users lists every user.
func (a *Admin) Users(ctx context.Context, actor domain.User) ([]domain.User, error) {
	if err := admin(actor); err != nil {
		return nil, err
	}
	return a.Store.ListUsers(ctx)
}

// MaxTokenDays bounds a token's expires_in_days: ten years is "long-lived", not "forever".
const MaxTokenDays = 3650

// IssuedToken is a new API token: shown once, stored only hashed.
type IssuedToken struct {
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt *time.Time `json:"expires_at"`
	ID        int64      `json:"id"`
	Token     string     `json:"token"`
}

// CreateToken issues an API token for username, expiring after expiresInDays
// (nil: never).
func (a *Admin) CreateToken(ctx context.Context, actor domain.User, username string, expiresInDays *int) (IssuedToken, error) {
	if err := admin(actor); err != nil {
		return IssuedToken{}, err
	}
	var ttl time.Duration
	if d := expiresInDays; d != nil {
		if *d < 1 || *d > MaxTokenDays {
			return IssuedToken{}, domain.Invalid("invalid_token", []domain.FieldError{{Field: "expires_in_days",
				Message: "must be 1 to " + strconv.Itoa(MaxTokenDays)}})
		}
		ttl = time.Duration(*d) * 24 * time.Hour
	}
	if _, _, err := a.Store.GetUser(ctx, username); err != nil {
		return IssuedToken{}, err
	}
	tok, err := newToken()
	if err != nil {
		return IssuedToken{}, err
	}
	ti, err := a.Store.IssueToken(ctx, username, tok, ttl)
	if err != nil {
		return IssuedToken{}, err
	}
	if err := a.audit(ctx, actor, "token.create", "user:"+username, map[string]any{"token_id": ti.ID, "expires_at": ti.ExpiresAt}); err != nil {
		return IssuedToken{}, err
	}
	return IssuedToken{Token: tok, ID: ti.ID, CreatedAt: ti.CreatedAt, ExpiresAt: ti.ExpiresAt}, nil
}

// newToken returns 256 random bits, URL-safe.
func newToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return "rt_" + base64.RawURLEncoding.EncodeToString(b), nil
}

// Tokens lists a user's live tokens: metadata only, never the token.
func (a *Admin) Tokens(ctx context.Context, actor domain.User, username string) ([]store.TokenInfo, error) {
	if err := admin(actor); err != nil {
		return nil, err
	}
	if _, _, err := a.Store.GetUser(ctx, username); err != nil {
		return nil, err
	}
	ts, err := a.Store.ListTokens(ctx, username)
	if ts == nil {
		ts = []store.TokenInfo{}
	}
	return ts, err
}

// RevokeToken ends a token at once.
func (a *Admin) RevokeToken(ctx context.Context, actor domain.User, username string, id int64) error {
	return a.change(ctx, actor, "token.revoke", "user:"+username, map[string]any{"token_id": id}, func() error {
		if id <= 0 {
			return domain.ErrNotFound
		}
		if err := a.Store.RevokeToken(ctx, username, id); err != nil {
			return err
		}
		a.accessChanged()
		return nil
	})
}

// UserPatch disables or enables a user and/or sets their password, as PATCH
// /api/v1/users/{username} names its fields.
type UserPatch struct {
	Disabled        *bool   `json:"disabled"`
	Password        *string `json:"password"`
	CurrentPassword *string `json:"current_password"`
}

// PatchUser applies p to username. An admin may change anyone; any other user
// may change only their own password, and must give the current one. keep is the
// raw cookie of the actor's own session, which stays signed in after a password
// change (empty: none); every other session of the user ends.
func (a *Admin) PatchUser(ctx context.Context, actor domain.User, username string, p UserPatch, keep string) (domain.User, error) {
	isAdmin := actor.Role == domain.RoleAdmin
	if !isAdmin && (username != actor.Username || p.Disabled != nil) {
		return domain.User{}, domain.ErrForbidden
	}
	_, hash, err := a.Store.GetUser(ctx, username)
	if err != nil {
		return domain.User{}, err
	}
	var fs []domain.FieldError
	bad := func(field, msg string) { fs = append(fs, domain.FieldError{Field: field, Message: msg}) }
	if p.Disabled == nil && p.Password == nil {
		bad("(body)", "nothing to change: send disabled and/or password")
	}
	if p.Disabled != nil && *p.Disabled && username == actor.Username {
		bad("disabled", "you cannot disable yourself") // an admin locking out the last admin by mistake
	}
	if pw := p.Password; pw != nil && (len(*pw) < 8 || len(*pw) > 72) { // bcrypt reads at most 72 bytes
		bad("password", "must be 8 to 72 bytes")
	}
	if !isAdmin {
		if p.CurrentPassword == nil || bcrypt.CompareHashAndPassword([]byte(hash), []byte(*p.CurrentPassword)) != nil {
			bad("current_password", "required, and must be your current password")
		}
	}
	if fs != nil {
		return domain.User{}, domain.Invalid("invalid_user", fs)
	}
	if p.Password != nil {
		h, err := bcrypt.GenerateFromPassword([]byte(*p.Password), bcrypt.DefaultCost)
		if err != nil {
			return domain.User{}, err
		}
		if err := a.Store.SetPassword(ctx, username, string(h), keep); err != nil {
			return domain.User{}, err
		}
		if err := a.audit(ctx, actor, "user.password", "user:"+username, nil); err != nil {
			return domain.User{}, err
		}
	}
	if p.Disabled != nil {
		if err := a.Store.SetDisabled(ctx, username, *p.Disabled); err != nil {
			return domain.User{}, err
		}
		a.accessChanged()
		action := "user.enable"
		if *p.Disabled {
			action = "user.disable"
		}
		if err := a.audit(ctx, actor, action, "user:"+username, nil); err != nil {
			return domain.User{}, err
		}
	}
	u, _, err := a.Store.GetUser(ctx, username)
	return u, err
}

// UnlockUser lifts a sign-in lockout early.
func (a *Admin) UnlockUser(ctx context.Context, actor domain.User, username string) error {
	return a.change(ctx, actor, "user.unlock", "user:"+username, nil, func() error {
		return a.Store.UnlockUser(ctx, username)
	})
}

// AuditLog pages through the audit log, newest first; next is empty on the last page.
func (a *Admin) AuditLog(ctx context.Context, actor domain.User, cursor string, limit int) (es []store.AuditEntry, next string, err error) {
	if err := admin(actor); err != nil {
		return nil, "", err
	}
	es, next, err = a.Store.ListAudit(ctx, cursor, limit)
	if es == nil {
		es = []store.AuditEntry{}
	}
	return es, next, err
}

// CalendarDay is an override of the working-day calendar.
type CalendarDay struct {
	Date string `json:"date"`
	Kind string `json:"kind"` // holiday or workday
	Name string `json:"name"`
}

// PutCalendarDay stores an override and applies it at once to deadlines computed
// from now on; running timers keep theirs (README: calendar overrides).
func (a *Admin) PutCalendarDay(ctx context.Context, actor domain.User, d CalendarDay) (CalendarDay, error) {
	if err := admin(actor); err != nil {
		return d, err
	}
	if err := CheckCalendarDate(d.Date); err != nil {
		return d, err
	}
	if d.Kind != string(calendar.Holiday) && d.Kind != string(calendar.Workday) {
		return d, domain.Invalid("invalid_calendar_day", []domain.FieldError{{Field: "kind", Message: "must be holiday or workday"}})
	}
	if len([]rune(d.Name)) > 100 {
		return d, domain.Invalid("invalid_calendar_day", []domain.FieldError{{Field: "name", Message: "at most 100 characters"}})
	}
	if err := a.Store.PutCalendarOverride(ctx, store.CalendarOverride{Date: d.Date, Kind: d.Kind, Name: d.Name}, actor.Username); err != nil {
		return d, err
	}
	if err := a.Store.LoadCalendarOverrides(ctx, a.Calendar); err != nil {
		return d, err
	}
	return d, a.audit(ctx, actor, "calendar.put", "calendar:"+d.Date, map[string]string{"kind": d.Kind, "name": d.Name})
}

// CheckCalendarDate refuses a date of an override that is not YYYY-MM-DD (the API
// checks it before it reads the body).
func CheckCalendarDate(date string) error {
	if _, err := time.Parse(calendar.DateLayout, date); err != nil {
		return domain.E(domain.KindBadRequest, "bad_parameter", "date: must be YYYY-MM-DD")
	}
	return nil
}

// DeleteCalendarDay removes the override of date; a date without one is not found.
func (a *Admin) DeleteCalendarDay(ctx context.Context, actor domain.User, date string) error {
	if err := admin(actor); err != nil {
		return err
	}
	if _, err := time.Parse(calendar.DateLayout, date); err != nil { // abc, 2026-02-30
		return domain.Invalid("invalid_calendar_day", []domain.FieldError{{Field: "date", Message: "must be a date, YYYY-MM-DD"}})
	}
	found, err := a.Store.DeleteCalendarOverride(ctx, date)
	if err != nil {
		return err
	}
	if !found {
		return domain.ErrNotFound
	}
	if err := a.Store.LoadCalendarOverrides(ctx, a.Calendar); err != nil {
		return err
	}
	return a.audit(ctx, actor, "calendar.delete", "calendar:"+date, nil)
}
