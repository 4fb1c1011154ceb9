package services

import (
	"context"
	"errors"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"

	"rectify/domain"
	"rectify/store"
)

// A department's group robot (企业微信 or 钉钉). Its webhook address carries the
// robot's key and its 加签 secret signs every message: both are credentials,
// written by admins and never read back. Robots are shown with a masked address
// and whether a secret is set; every change is audited, without the secrets.

// RobotView is a robot as the API and the pages show it.
type RobotView struct {
	DepartmentCode string    `json:"department_code"`
	Kind           string    `json:"kind"`
	WebhookURL     string    `json:"webhook_url"` // masked: each query value shows only its last 4 characters
	SecretSet      bool      `json:"secret_set"`
	UpdatedBy      string    `json:"updated_by"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// ViewRobot masks a robot's credentials.
func ViewRobot(r store.Robot) RobotView {
	return RobotView{DepartmentCode: r.DepartmentCode, Kind: r.Kind, WebhookURL: MaskWebhook(r.WebhookURL),
		SecretSet: r.Secret != "", UpdatedBy: r.UpdatedBy, UpdatedAt: r.UpdatedAt}
}

// MaskWebhook hides the credentials of a webhook address: the robots' keys and
// tokens are query values, so each keeps only its last 4 characters; user
// information and the fragment go.
func MaskWebhook(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "****"
	}
	q := u.Query()
	var parts []string
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range q {
			if !yield(k) {
				return
			}
		}
	}) {
		v := []rune(q.Get(k))
		tail := ""
		if len(v) > 8 {
			tail = string(v[len(v)-4:])
		}
		parts = append(parts, url.QueryEscape(k)+"=****"+tail)
	}
	out := u.Scheme + "://" + u.Host + u.EscapedPath()
	if len(parts) > 0 {
		out += "?" + strings.Join(parts, "&")
	}
	return out
}

// RobotInput is a robot to set, as PUT /api/v1/departments/{code}/robot names
// its fields.
type RobotInput struct {
	Kind       string `json:"kind"`
	WebhookURL string `json:"webhook_url"` // empty: keep the stored address
	Secret     string `json:"secret"`      // empty: keep the stored secret
}

// validWebhook accepts an absolute https address, or http to a loopback host
// (a test's fake): the address carries a credential.
func validWebhook(raw string) bool {
	if len(raw) > 1000 {
		return false
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil {
		return false
	}
	switch u.Scheme {
	case "https":
		return true
	case "http":
		h := u.Hostname()
		ip := net.ParseIP(h)
		return h == "localhost" || (ip != nil && ip.IsLoopback())
	}
	return false
}

// Robot is the department's robot, masked.
func (a *Admin) Robot(ctx context.Context, actor domain.User, code string) (RobotView, error) {
	if err := admin(actor); err != nil {
		return RobotView{}, err
	}
	r, err := a.Store.GetRobot(ctx, code)
	if err != nil {
		return RobotView{}, err
	}
	return ViewRobot(r), nil
}

// Robots is every department's robot, masked.
func (a *Admin) Robots(ctx context.Context, actor domain.User) ([]RobotView, error) {
	if err := admin(actor); err != nil {
		return nil, err
	}
	rs, err := a.Store.ListRobots(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]RobotView, len(rs))
	for i, r := range rs {
		out[i] = ViewRobot(r)
	}
	return out, nil
}

// PutRobot creates or replaces the department's robot.
func (a *Admin) PutRobot(ctx context.Context, actor domain.User, code string, in RobotInput) (RobotView, error) {
	if err := admin(actor); err != nil {
		return RobotView{}, err
	}
	old, err := a.Store.GetRobot(ctx, code)
	exists := err == nil
	if err != nil && !errors.Is(err, domain.ErrNotFound) {
		return RobotView{}, err
	}
	in.WebhookURL, in.Secret = strings.TrimSpace(in.WebhookURL), strings.TrimSpace(in.Secret)
	var fs []domain.FieldError
	if !slices.Contains(store.RobotKinds, in.Kind) {
		fs = append(fs, domain.FieldError{Field: "kind", Message: "must be wecom or dingtalk"})
	}
	switch {
	case in.WebhookURL == "" && !exists:
		fs = append(fs, domain.FieldError{Field: "webhook_url", Message: "required"})
	case in.WebhookURL != "" && !validWebhook(in.WebhookURL):
		fs = append(fs, domain.FieldError{Field: "webhook_url", Message: "must be an https address, up to 1000 characters"})
	}
	if len(in.Secret) > 200 {
		fs = append(fs, domain.FieldError{Field: "secret", Message: "up to 200 characters"})
	}
	if in.Secret != "" && in.Kind == "wecom" {
		fs = append(fs, domain.FieldError{Field: "secret", Message: "企业微信 group robots have no secret"})
	}
	if fs != nil {
		return RobotView{}, domain.Invalid("invalid_robot", fs)
	}
	r := store.Robot{DepartmentCode: code, Kind: in.Kind, WebhookURL: in.WebhookURL, Secret: in.Secret, UpdatedBy: actor.Username}
	if r.WebhookURL == "" {
		r.WebhookURL = old.WebhookURL
	}
	if err := a.Store.SetRobot(ctx, r); err != nil {
		return RobotView{}, err
	}
	saved, err := a.Store.GetRobot(ctx, code)
	if err != nil {
		return RobotView{}, err
	}
	action := "robot.create"
	if exists {
		action = "robot.update"
	}
	if err := a.audit(ctx, actor, action, "department:"+code, map[string]any{"kind": saved.Kind, "webhook_url": MaskWebhook(saved.WebhookURL),
		"address_changed": !exists || saved.WebhookURL != old.WebhookURL, "secret_changed": saved.Secret != old.Secret}); err != nil {
		return RobotView{}, err
	}
	return ViewRobot(saved), nil
}

// DeleteRobot removes the department's robot.
func (a *Admin) DeleteRobot(ctx context.Context, actor domain.User, code string) error {
	return a.change(ctx, actor, "robot.delete", "department:"+code, nil, func() error {
		return a.Store.DeleteRobot(ctx, code)
	})
}
