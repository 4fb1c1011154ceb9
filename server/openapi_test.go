package server

import (
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"rectify/store"
)

func loadOpenAPI(t *testing.T) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(OpenAPI)
	if err != nil {
		t.Fatalf("openapi.yaml: %v", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		t.Fatalf("openapi.yaml is not a valid OpenAPI 3 document: %v", err)
	}
	return doc
}

// Operations the document describes that another package serves.
var servedElsewhere = []string{"GET /s/{token}"} // package web: the survey page

var echoParam = regexp.MustCompile(`:([a-z_]+)`)

// API.md: "The project's own OpenAPI document must describe every endpoint". Each
// route New registers is in the document, and each operation of the document is
// served (the contract test in internal/testenv checks the shapes).
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	doc := loadOpenAPI(t)
	// No database: building the routes touches none.
	s := New(Deps{Store: &store.Store{}, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	served := map[string]bool{}
	for _, r := range s.Echo.Routes() {
		if r.Path == "/api/v1" || strings.HasSuffix(r.Path, "/*") {
			continue // echo's catch-alls for the group's middleware: they only answer 404
		}
		op := r.Method + " " + echoParam.ReplaceAllString(r.Path, "{$1}")
		served[op] = true
	}
	documented := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented[method+" "+path] = true
		}
	}
	for op := range served {
		if !documented[op] {
			t.Errorf("%s is served but not in openapi.yaml", op)
		}
	}
	for op := range documented {
		if !served[op] && !slices.Contains(servedElsewhere, op) {
			t.Errorf("%s is in openapi.yaml but not served", op)
		}
	}
}

// The rules of `make openapi-lint` (redocly's recommended set, which CI runs) that
// a client generator trips over, checked here too so a plain `go test` catches
// them: every operation names a 4xx, the licence is stated, and `nullable` never
// stands without a `type` (Portman's converter then skips the operation's checks).
func TestOpenAPILintBasics(t *testing.T) {
	doc := loadOpenAPI(t)
	if doc.Info.License == nil || doc.Info.License.Name == "" || doc.Info.License.URL == "" {
		t.Error("info.license needs a name and a url")
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			has4xx := false
			for code := range op.Responses.Map() {
				has4xx = has4xx || strings.HasPrefix(code, "4")
			}
			if !has4xx {
				t.Errorf("%s %s lists no 4xx response", method, path)
			}
		}
	}
	var walk func(where string, s *openapi3.SchemaRef, seen map[*openapi3.Schema]bool)
	walk = func(where string, s *openapi3.SchemaRef, seen map[*openapi3.Schema]bool) {
		if s == nil || s.Value == nil || seen[s.Value] {
			return
		}
		seen[s.Value] = true
		v := s.Value
		if s.Ref == "" && v.Nullable && (v.Type == nil || len(v.Type.Slice()) == 0) {
			t.Errorf("%s: nullable without a type", where)
		}
		for name, p := range v.Properties {
			walk(where+"."+name, p, seen)
		}
		for _, group := range [][]*openapi3.SchemaRef{v.AllOf, v.AnyOf, v.OneOf} {
			for i, sub := range group {
				walk(fmt.Sprintf("%s[%d]", where, i), sub, seen)
			}
		}
		walk(where+"[]", v.Items, seen)
	}
	for name, s := range doc.Components.Schemas {
		walk(name, s, map[*openapi3.Schema]bool{})
	}
}

// Issue 16 item 12: every JSON answer has one shape, so a generated client gets
// a type, not an untyped union; stats/departments is API.md's table.
func TestOpenAPIAnswersAreTyped(t *testing.T) {
	doc := loadOpenAPI(t)
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			for code, r := range op.Responses.Map() {
				if r.Value == nil {
					continue
				}
				if mt := r.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil && mt.Schema.Value != nil &&
					(len(mt.Schema.Value.AnyOf) > 0 || len(mt.Schema.Value.OneOf) > 0) {
					t.Errorf("%s %s → %s: a union of shapes", method, path, code)
				}
			}
		}
	}
	item := doc.Paths.Find("/api/v1/stats/departments")
	if item == nil || item.Get == nil {
		t.Fatal("GET /api/v1/stats/departments is not its own operation")
	}
	s := item.Get.Responses.Status(200).Value.Content.Get("application/json").Schema.Value
	if !slices.Contains(s.Required, "departments") || s.Properties["departments"] == nil {
		t.Errorf("stats/departments answers %v, want a required departments list", s.Required)
	}
}
