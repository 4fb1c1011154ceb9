package web

import (
	"regexp"
	"strings"
)

// The API speaks English to programs (its contract, API.md); a page says the
// same refusal in the user's language. apiMsgRules map the API's field and
// transition messages onto catalogue keys; the submatches fill the key's %s,
// translated under argKind when it names an enum (a status, a request type).
type apiMsgRule struct {
	re      *regexp.Regexp
	key     string
	argKind string
}

func msgRule(pattern, key, argKind string) apiMsgRule {
	return apiMsgRule{re: regexp.MustCompile(`^(?:` + pattern + `)$`), key: key, argKind: argKind}
}

var apiMsgRules = []apiMsgRule{
	msgRule(`required`, "msg.required", ""),
	msgRule(`required when reached(?:, one of .*)?`, "msg.level_when_reached", ""),
	msgRule(`must be one of the five levels|must be one of very_satisfied.*`, "msg.level", ""),
	msgRule(`must be between (\d+) and (\d+)|must be (\d+) to (\d+)`, "msg.between", ""),
	msgRule(`must be 0 to (\d+)`, "msg.zero_to", ""),
	msgRule(`at most (\d+) characters(?:, got \d+)?`, "msg.at_most", ""),
	msgRule(`must be 1 to (\d+) characters`, "msg.at_most", ""),
	msgRule(`too long`, "msg.too_long", ""),
	msgRule(`must not contain control characters|not valid UTF-8 or holds a NUL`, "msg.bad_chars", ""),
	msgRule(`unknown department`, "msg.unknown_dept", ""),
	msgRule(`unknown department: (.+)`, "msg.unknown_dept_named", ""),
	msgRule(`must be a phone number of digits`, "msg.phone", ""),
	msgRule(`must be a 6-digit administrative division code`, "msg.region", ""),
	msgRule(`must not be in the future`, "msg.future", ""),
	msgRule(`must be after 2000-01-01`, "msg.too_old", ""),
	msgRule(`repeated`, "msg.repeated", ""),
	msgRule(`must be one of web, hall.*|must be one of admin, .*|must be one of (?:attitude|queueing|guide).*|unknown status|must be holiday or workday`, "msg.one_of", ""),
	msgRule(`must be a date, YYYY-MM-DD|a date \(2026-01-31\) or an RFC 3339 time|must be an RFC 3339 time`, "msg.date", ""),
	msgRule(`must be (?:integer|int|number|bool|boolean|string)`, "msg.type", ""),
	msgRule(`required: letters, digits, _ \. -, up to (\d+)`, "msg.code", ""),
	msgRule(`required, up to (\d+) characters`, "msg.required_up_to", ""),
	msgRule(`must be (\d+) to (\d+) bytes`, "msg.bytes", ""),
	msgRule(`required for role department`, "msg.dept_required", ""),
	msgRule(`only for role department`, "msg.dept_only", ""),
	msgRule(`required, and must be your current password`, "msg.current_password", ""),
	msgRule(`you cannot disable yourself`, "msg.disable_self", ""),
	msgRule(`only for a reached call`, "msg.only_reached", ""),
	msgRule(`must be a call number from 1`, "msg.attempt", ""),
	msgRule(`not taken by .*|unknown field`, "msg.not_taken", ""),
	// Transitions the workflow refuses (409).
	msgRule(`this round already had (\d+) extension\(s\)`, "msg.extensions_used", ""),
	msgRule(`not allowed while the ticket is (\w+)`, "msg.not_in_status", "status"),
	msgRule(`the ticket is closed`, "msg.closed", ""),
	msgRule(`an? (\w+) request is already pending`, "msg.pending", "request"),
	msgRule(`no pending (\w+) request`, "msg.no_pending", "request"),
}

// apiMessage says one API message in l; a message no rule knows says only
// that the field is wrong in Chinese (never English on a Chinese page) and is
// shown as sent, trimmed, in English.
func apiMessage(l Lang, msg string) string {
	msg = strings.TrimSpace(msg)
	for _, r := range apiMsgRules {
		m := r.re.FindStringSubmatch(msg)
		if m == nil {
			continue
		}
		var args []any
		for _, s := range m[1:] {
			if s == "" {
				continue
			}
			if r.argKind != "" {
				args = append(args, l.Label(r.argKind, s))
			} else {
				args = append(args, s)
			}
		}
		return l.T(r.key, args...)
	}
	if l == En {
		return msg
	}
	return l.T("msg.invalid")
}
