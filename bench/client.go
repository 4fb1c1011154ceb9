package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Client speaks to the API over keep-alive HTTP, as a rating channel or staff would.
type Client struct {
	Base string
	HC   *http.Client
}

// NewClient keeps up to conns idle connections to the API, so that every simulated
// client reuses its own.
func NewClient(base string, conns int) *Client {
	tr := &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, IdleConnTimeout: 90 * time.Second}
	return &Client{Base: base, HC: &http.Client{Transport: tr, Timeout: 60 * time.Second}}
}

// Do sends body (nil: none) with the bearer token and decodes a JSON answer into out
// (nil: discarded). A status other than want is an error carrying the body.
func (c *Client) Do(ctx context.Context, method, path, token string, body []byte, want int, out any) error {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.Base+path, r)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.HC.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != want {
		if len(b) > 300 {
			b = b[:300]
		}
		return fmt.Errorf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, want, b)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

// Department is the one department every benchmark ticket is dispatched to.
const Department = "320100-BENCH"

// Tokens are the API tokens of the simulated callers.
type Tokens struct {
	Channel, Department, CallCenter string
}

// SetUp registers the department and one user per role the scenarios act as, and
// issues their tokens, through the API as an operator would.
func SetUp(ctx context.Context, c *Client) (Tokens, error) {
	mustJSON := func(v any) []byte { b, _ := json.Marshal(v); return b }
	if err := c.Do(ctx, "POST", "/api/v1/departments", AdminToken,
		mustJSON(map[string]string{"code": Department, "name": "基准测试局"}), http.StatusCreated, nil); err != nil {
		return Tokens{}, err
	}
	var t Tokens
	for _, u := range []struct {
		name, role, dept string
		tok              *string
	}{
		{"bench-channel", "channel", "", &t.Channel},
		{"bench-dept", "department", Department, &t.Department},
		{"bench-callcenter", "callcenter", "", &t.CallCenter},
	} {
		body := map[string]string{"username": u.name, "password": "bench-password-0123456789", "role": u.role}
		if u.dept != "" {
			body["department_code"] = u.dept
		}
		if err := c.Do(ctx, "POST", "/api/v1/users", AdminToken, mustJSON(body), http.StatusCreated, nil); err != nil {
			return Tokens{}, err
		}
		var out struct {
			Token string `json:"token"`
		}
		if err := c.Do(ctx, "POST", "/api/v1/users/"+u.name+"/tokens", AdminToken, nil, http.StatusCreated, &out); err != nil {
			return Tokens{}, err
		}
		*u.tok = out.Token
	}
	return t, nil
}
