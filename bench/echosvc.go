package bench

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"rectify/domain"
	"sync/atomic"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/labstack/echo/v4"
)

// echoService is the fair intake baseline of issue 18: what someone would write
// instead of rectify to "store ratings" — an echo service with a pgx pool, the
// same JSON body and bearer token, the same rows (the rating, and for a negative
// one its ticket, in one statement and so one transaction per request, into the
// trigger-less copies of the tables), answering 201 with the same fields. No
// statistics, no workflow, no group commit, no idempotency check beyond the
// primary key.
type echoService struct {
	URL   string
	srv   *http.Server
	seq   atomic.Int64
	token string
}

func startEchoService(pool *pgxpool.Pool, token string) (*echoService, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &echoService{URL: "http://" + l.Addr().String(), token: token}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.POST("/api/v1/ratings", func(c echo.Context) error {
		if c.Request().Header.Get("Authorization") != "Bearer "+s.token {
			return c.JSON(http.StatusUnauthorized, map[string]string{"error": "unauthorized"})
		}
		body, err := io.ReadAll(io.LimitReader(c.Request().Body, 64<<10))
		if err != nil {
			return err
		}
		var r Rating
		if err := json.Unmarshal(body, &r); err != nil || r.ID == "" || r.Level == "" || r.DepartmentCode == "" {
			return c.JSON(http.StatusUnprocessableEntity, map[string]string{"error": "invalid rating"})
		}
		if r.Citizen == nil {
			r.Citizen = &domain.Citizen{Anonymous: true}
		}
		h := sha256.Sum256(body)
		row := r.row()
		row[1] = h[:]
		out := map[string]any{"id": r.ID, "negative": r.Negative()}
		q := insertRating
		if r.Negative() {
			number := fmt.Sprintf("ES%08d", s.seq.Add(1))
			row, q = append(row, number), insertRatingTicket
			out["ticket_number"] = number
		}
		if _, err := pool.Exec(c.Request().Context(), q, row...); err != nil {
			return err
		}
		return c.JSON(http.StatusCreated, out)
	})
	s.srv = &http.Server{Handler: e}
	go func() { _ = s.srv.Serve(l) }()
	return s, nil
}

func (s *echoService) Close() { _ = s.srv.Shutdown(context.Background()) }
