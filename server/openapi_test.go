package server

import (
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
