package server

import (
	"rectify/domain"
)

// Rating sources (issue 15, item 13). Rating ids are one global key, the
// idempotency key of API.md, so a source that could use any id could take another
// source's next id first (the real rating then gets 409) or probe whether it
// exists. A channel user may therefore be bound, at creation, to its channel and
// an id prefix no other source's prefix overlaps: it submits that channel with
// ids in its prefix only, and nobody else may use an id in its prefix. A channel
// user's retry counts only for its own rating: another's rating under the id is
// 409 whatever the body, so it never learns the ticket number.

var prefixPattern = codePattern // letters, digits, _ . -, up to 64

// checkBinding validates the binding fields of a new user.
func checkBinding(nu newUser) []domain.FieldError {
	var fs fieldErrors
	if nu.Role != domain.RoleChannel {
		if nu.Channel != "" {
			fs.bad("channel", "only for role channel")
		}
		if nu.RatingIDPrefix != "" {
			fs.bad("rating_id_prefix", "only for role channel")
		}
		return fs
	}
	if nu.Channel != "" && !nu.Channel.Valid() {
		fs.bad("channel", "must be one of web, hall, mobile, kiosk, hotline")
	}
	switch p := nu.RatingIDPrefix; {
	case p == "":
	case nu.Channel == "":
		fs.bad("rating_id_prefix", "needs channel")
	case len(p) < 3 || len(p) > 32 || !prefixPattern.MatchString(p):
		fs.bad("rating_id_prefix", "3 to 32 letters, digits, _ . -")
	}
	return fs
}
