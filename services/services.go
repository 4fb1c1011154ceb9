// Package services is rectify's application layer: one method per thing a user
// does (take a ticket action, submit a rating, answer a survey, manage users…),
// each doing authorization, validation and the call into the engine and the store
// exactly once. The HTTP API (server/) and the pages (web/) are thin adapters over
// it: they parse their input, call one method here, and render its result or its
// *domain.Error. The rules themselves live in domain/ (who may act, who may see);
// this package applies them.
package services

import (
	"log/slog"
	"time"

	"rectify/calendar"
	"rectify/engine"
	"rectify/store"
)

// Deps are what the application services need.
type Deps struct {
	Store    *store.Store
	Engine   *engine.Engine // nil where no workflow runs (stats-only tests)
	Calendar *calendar.Calendar
	Log      *slog.Logger
	Now      func() time.Time // nil: time.Now
}

// Services are the application services, one per aggregate.
type Services struct {
	Tickets   *Tickets
	Ratings   *Ratings
	Surveys   *Surveys
	Admin     *Admin // departments, users, tokens, calendar, robots
	Notices   *Notices
	Callbacks *Callbacks
}

// New builds the services over d.
func New(d Deps) *Services {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	ratings := &Ratings{Deps: d}
	return &Services{
		Tickets: &Tickets{d}, Ratings: ratings, Surveys: &Surveys{d},
		Admin: &Admin{Deps: d}, Notices: &Notices{d}, Callbacks: &Callbacks{Deps: d, ratings: ratings},
	}
}

// Tickets: read, list and act on 12345 tickets (tickets.go).
type Tickets struct{ Deps }

// Ratings: submit and read ratings (ratings.go).
type Ratings struct {
	Deps
	sources sourceCache                                             // rating id prefixes of bound channel users
	watch   watchers[func([]store.NewRating, []store.RatingResult)] // told of every stored batch (OnIngested)
}

// Surveys: the citizen's follow-up survey behind a token (surveys.go).
type Surveys struct{ Deps }

// Admin: departments, users, tokens, the working-day calendar and group robots (admin.go).
type Admin struct {
	Deps
	watch watchers[func()] // told of changes to users and tokens (OnAccessChange)
}

// Notices: each user's notice centre (notices.go).
type Notices struct{ Deps }

// Callbacks: satisfaction call-backs on finished cases (callbacks.go).
type Callbacks struct {
	Deps
	ratings *Ratings // a reached call's answer is stored as a rating is
}
