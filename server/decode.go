package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"rectify/domain"
)

// readBody reads the whole (size-limited) body and refuses what JSON decoding
// would silently alter: invalid UTF-8 (decoded as U+FFFD) and NUL characters
// (which Postgres text cannot hold).
func readBody(c echo.Context) ([]byte, error) {
	b, err := io.ReadAll(c.Request().Body)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, domain.E(domain.KindTooLarge, "body_too_large", "request body over %d bytes", tooBig.Limit)
	}
	if err != nil {
		return nil, domain.E(domain.KindBadRequest, "bad_request", "could not read the body")
	}
	return b, checkText(b)
}

func checkText(b []byte) error {
	if !utf8.Valid(b) {
		return domain.E(domain.KindBadRequest, "invalid_utf8", "the body is not valid UTF-8")
	}
	if bytes.Contains(b, []byte(`\u0000`)) || bytes.IndexByte(b, 0) >= 0 {
		return domain.E(domain.KindBadRequest, "nul_character", "the body contains a NUL character")
	}
	return nil
}

// decodeStrict decodes one JSON object into v, refusing unknown fields and
// trailing data, and names the offending field in the error.
func decodeStrict(c echo.Context, v any) error {
	b, err := readBody(c)
	if err != nil {
		return err
	}
	return unmarshalStrict(b, v)
}

// decodeOptional is decodeStrict for a body the document marks optional: no
// body at all (or only whitespace) is taken as {}, so an action without fields
// needs none, and an action with fields answers 422 naming them, not 400.
func decodeOptional(c echo.Context, v any) error {
	b, err := readBody(c)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(b)) == 0 {
		b = []byte("{}")
	}
	return unmarshalStrict(b, v)
}

func unmarshalStrict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return domain.E(domain.KindBadRequest, "malformed_json", "unexpected data after the JSON object")
	}
	return refuseNulls(b)
}

func jsonError(err error) error {
	var (
		syn *json.SyntaxError
		typ *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "(body)"
		}
		return &domain.Error{Kind: domain.KindBadRequest, Code: "malformed_json",
			Message: fmt.Sprintf("%s: must be %s", field, typ.Type),
			Fields:  []domain.FieldError{{Field: field, Message: "must be " + typ.Type.String()}}}
	case errors.As(err, &syn), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return domain.E(domain.KindBadRequest, "malformed_json", "the body is not valid JSON")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &domain.Error{Kind: domain.KindBadRequest, Code: "unknown_field", Message: field + ": unknown field",
			Fields: []domain.FieldError{{Field: field, Message: "unknown field"}}}
	}
	return domain.E(domain.KindBadRequest, "malformed_json", "the body is not valid JSON")
}
