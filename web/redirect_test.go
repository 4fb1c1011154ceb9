package web

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"

	"rectify/store"
)

// The language switch and the sign-in page send the browser only to this site's
// own paths (issue 15 item 4: /\t/evil.example is //evil.example to a browser).
func TestNoOpenRedirect(t *testing.T) {
	e := echo.New()
	Register(e, Deps{Store: &store.Store{}})
	for next, want := range map[string]string{
		"/%09/evil.example":    "/",
		"/%0A/evil.example":    "/",
		"/%5C/evil.example":    "/",
		"//evil.example":       "/",
		"https://evil.example": "/",
		"/tickets%3Fq%3D1":     "/tickets?q=1",
		"/login%3Fnext%3D%2F":  "/login?next=/",
	} {
		req := httptest.NewRequest(http.MethodGet, "/lang/en?next="+next, nil)
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != want {
			t.Errorf("/lang/en?next=%s: %d to %q, want 303 to %q", next, rec.Code, rec.Header().Get("Location"), want)
		}
	}
}
