// Package domain holds rectify's vocabulary: ratings, tickets, their statuses and
// events, and the one error type every layer uses. It depends on nothing else in the
// project, so any package may import it.
package domain

import (
	"errors"
	"fmt"
)

// Kind says what sort of failure an Error is; the HTTP layer maps each kind to one
// status in one place.
type Kind int

const (
	KindInternal     Kind = iota // a fault: 500, details logged, never shown
	KindBadRequest               // 400: malformed JSON or parameters
	KindUnauthorized             // 401
	KindForbidden                // 403
	KindNotFound                 // 404, also for what the caller may not see
	KindConflict                 // 409
	KindTooLarge                 // 413
	KindInvalid                  // 422: well-formed but invalid
	KindGone                     // 410
	KindRateLimited              // 429
	KindUnavailable              // 503: a dependency is down, retry later
)

// FieldError names one invalid field.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is the project's error: a stable code for programs, a message for people.
type Error struct {
	Kind    Kind
	Code    string
	Message string
	Fields  []FieldError
	Err     error // the cause, for logs only
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return e.Code + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// E builds an Error.
func E(kind Kind, code, format string, args ...any) *Error {
	return &Error{Kind: kind, Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid builds a 422 error from field errors; the message joins them.
func Invalid(code string, fields []FieldError) *Error {
	msg := ""
	for i, f := range fields {
		if i > 0 {
			msg += "; "
		}
		msg += f.Field + ": " + f.Message
	}
	return &Error{Kind: KindInvalid, Code: code, Message: msg, Fields: fields}
}

// AsError finds the domain error in err's chain.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// KindOf is the Kind of err, KindInternal for anything that is not an *Error.
func KindOf(err error) Kind {
	if e, ok := AsError(err); ok {
		return e.Kind
	}
	return KindInternal
}

// Common errors.
var (
	ErrNotFound          = E(KindNotFound, "not_found", "not found")
	ErrUnauthorized      = E(KindUnauthorized, "unauthorized", "missing or invalid credentials")
	ErrForbidden         = E(KindForbidden, "forbidden", "not allowed for this caller")
	ErrInvalidTransition = E(KindConflict, "invalid_transition", "the ticket's state does not allow this action")
)

// HTTPStatus is the one status each kind is answered with (the HTTP API and a
// stored idempotent answer use it).
func (k Kind) HTTPStatus() int {
	if s, ok := kindStatus[k]; ok {
		return s
	}
	return 500
}

var kindStatus = map[Kind]int{
	KindInternal: 500, KindBadRequest: 400, KindUnauthorized: 401, KindForbidden: 403,
	KindNotFound: 404, KindConflict: 409, KindTooLarge: 413, KindInvalid: 422,
	KindGone: 410, KindRateLimited: 429, KindUnavailable: 503,
}

// ErrorBody is an error as the API writes it: {"error": {"code", "message", "fields"}}.
type ErrorBody struct {
	Error struct {
		Code    string       `json:"code"`
		Message string       `json:"message"`
		Fields  []FieldError `json:"fields,omitempty"`
	} `json:"error"`
}

// Body is e as the API writes it.
func (e *Error) Body() ErrorBody {
	var b ErrorBody
	b.Error.Code, b.Error.Message, b.Error.Fields = e.Code, e.Message, e.Fields
	return b
}
