package web

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"rectify/domain"
	"rectify/server"
)

// apiResult is the outcome of a page's form as the API would answer it: its
// status and, when refused, the contract's error body (see failed).
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

// failed is a service's refusal as the page's apiResult: the API's own answer
// to err (server.Answer), so the page says it exactly as it would say the API's.
func failed(err error) apiResult {
	status, body := server.Answer(err)
	r := apiResult{Status: status}
	if status < 500 {
		r.Err.Code, r.Err.Message, r.Err.Fields = body.Error.Code, body.Error.Message, body.Error.Fields
	}
	return r
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

// refusal is a service's error as the page says it (failed). A fault (5xx) is
// logged here, with the request's ID, as the API logs its own: the page shows
// only "internal error".
func (w *Web) refusal(c echo.Context, err error) apiResult {
	res := failed(err)
	if res.Status >= 500 {
		w.Log.Error("request failed", "request_id", c.Response().Header().Get(echo.HeaderXRequestID), "path", c.Path(), "err", err)
	}
	return res
}
