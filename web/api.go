package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/labstack/echo/v4"

	"rectify/domain"
	"rectify/server"
)

// apiResult is the API's answer to a page's call.
type apiResult struct {
	Status int
	Body   []byte
	Err    struct {
		Code    string              `json:"code"`
		Message string              `json:"message"`
		Fields  []domain.FieldError `json:"fields"`
	} `json:"error"`
}

func (r apiResult) ok() bool { return r.Status >= 200 && r.Status < 300 }

// failed is a service's refusal as the page's apiResult, so the page says it
// exactly as it would say the API's answer (messages).
func failed(err error) apiResult {
	r := apiResult{Status: server.StatusOf(err)}
	if de, ok := domain.AsError(err); ok && r.Status < 500 {
		r.Err.Code, r.Err.Message, r.Err.Fields = de.Code, de.Message, de.Fields
	}
	return r
}

// callAPI performs the API call a form stands for, in-process, as the signed-in
// user (their session cookie and CSRF token), so the page gets exactly the API's
// roles, department visibility, validation and workflow path.
func (w *Web) callAPI(c echo.Context, method, path string, body any) apiResult {
	return w.callAPIWith(c, method, path, body, nil)
}

// callAPIWith is callAPI with extra request headers (empty values are skipped).
func (w *Web) callAPIWith(c echo.Context, method, path string, body any, hdr http.Header) apiResult {
	var rd io.Reader = http.NoBody
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return apiResult{Status: http.StatusInternalServerError}
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(c.Request().Context(), method, path, rd)
	if err != nil {
		return apiResult{Status: http.StatusInternalServerError}
	}
	req.Host = c.Request().Host
	req.Header.Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
	for k, vs := range hdr {
		if len(vs) > 0 && vs[0] != "" {
			req.Header.Set(k, vs[0])
		}
	}
	if s := sessionOf(c); s != nil {
		req.AddCookie(&http.Cookie{Name: sessionCookieName, Value: s.raw})
		req.Header.Set(server.CSRFHeader, s.CSRFToken)
	}
	rec := &recorder{header: http.Header{}}
	w.API.ServeHTTP(rec, req)
	res := apiResult{Status: rec.status, Body: rec.body.Bytes()}
	if res.Status == 0 {
		res.Status = http.StatusOK
	}
	if !res.ok() {
		_ = json.Unmarshal(res.Body, &res)
	}
	return res
}

// messages turns an API refusal into what the page says, in the user's language.
func (r apiResult) messages(l Lang) []string {
	key := fmt.Sprintf("err.%d", r.Status)
	if r.Err.Code == "csrf_failed" {
		key = "err.csrf"
	}
	if _, ok := catalog[key]; !ok {
		key = "err.500"
		if r.Status < 500 {
			key = "err.400"
		}
	}
	out := []string{l.T(key)}
	for _, f := range r.Err.Fields {
		out = append(out, l.Label("field", f.Field)+"："+apiMessage(l, f.Message))
	}
	if len(r.Err.Fields) == 0 && (r.Status == http.StatusUnprocessableEntity || r.Status == http.StatusConflict) && r.Err.Message != "" {
		out = append(out, apiMessage(l, r.Err.Message))
	}
	return out
}

// recorder is the smallest http.ResponseWriter that keeps the answer.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}
