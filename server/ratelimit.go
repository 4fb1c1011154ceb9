package server

import (
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"

	"rectify/domain"
)

// RateLimiter is a token bucket per key (a client IP, or whatever the caller
// chooses): each key may make burst requests at once and then every per-second
// rate more. The sign-in handler and the public survey endpoints use it; buckets
// idle long enough to be full again are forgotten, so memory stays bounded.
type RateLimiter struct {
	limit   rate.Limit
	burst   int
	mu      sync.Mutex
	buckets map[string]*bucket
	now     func() time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

// maxBuckets bounds the memory of one limiter; past it, idle buckets are swept.
const maxBuckets = 50_000

// NewRateLimiter allows each key perSecond requests per second on average and
// burst at once.
func NewRateLimiter(perSecond float64, burst int) *RateLimiter {
	return &RateLimiter{limit: rate.Limit(perSecond), burst: burst, buckets: map[string]*bucket{}, now: time.Now}
}

// Allow takes one token from key's bucket. When it is empty, Allow says how long
// until the next token.
func (l *RateLimiter) Allow(key string) (ok bool, retryAfter time.Duration) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[key]
	if b == nil {
		if len(l.buckets) >= maxBuckets {
			l.sweep(now)
		}
		b = &bucket{lim: rate.NewLimiter(l.limit, l.burst)}
		l.buckets[key] = b
	}
	b.seen = now
	r := b.lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// sweep forgets buckets that have refilled since last used: to their key a new
// bucket is the same. If every key is busy, it starts over rather than grow.
func (l *RateLimiter) sweep(now time.Time) {
	full := time.Duration(float64(l.burst) / float64(l.limit) * float64(time.Second))
	for k, b := range l.buckets {
		if now.Sub(b.seen) > full {
			delete(l.buckets, k)
		}
	}
	if len(l.buckets) >= maxBuckets {
		l.buckets = map[string]*bucket{}
	}
}

// Middleware limits requests per client IP (ClientIP), answering 429 in the
// contract's error shape with a Retry-After header. Requests without a network
// peer (in-process calls made by the pages on a client's behalf, already counted
// when they came in) pass.
func (l *RateLimiter) Middleware() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			ip := ClientIP(c)
			if ip == "" {
				return next(c)
			}
			if ok, wait := l.Allow(ip); !ok {
				return TooManyRequests(c, wait)
			}
			return next(c)
		}
	}
}

// TooManyRequests sets Retry-After (whole seconds, at least 1) and returns the
// contract's 429 error for the error handler to write.
func TooManyRequests(c echo.Context, wait time.Duration) error {
	c.Response().Header().Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(wait.Seconds())))))
	return domain.E(domain.KindRateLimited, "rate_limited", "too many requests; retry in a moment")
}

// ClientIP is the address of the connection's peer. It ignores X-Forwarded-For
// and X-Real-IP, which any client can forge to dodge a per-IP limit (echo's
// RealIP trusts them by default, GO-2026-6872). Behind a reverse proxy every
// client shares the proxy's address: give the proxy its own, larger limits, or
// set Echo.IPExtractor to echo.ExtractIPFromXFFHeader with the proxy's range
// trusted, which this function then follows.
func ClientIP(c echo.Context) string {
	if e := c.Echo(); e != nil && e.IPExtractor != nil {
		return e.IPExtractor(c.Request())
	}
	return peerIP(c.Request())
}

func peerIP(r *http.Request) string {
	if r.RemoteAddr == "" {
		return ""
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return strings.TrimSpace(r.RemoteAddr)
	}
	return host
}

// Limits of the citizen-facing survey endpoints, per client IP: a citizen opens
// the page and answers once; mobile carriers put many citizens behind one address
// (CGNAT), so the budget is generous and only stops floods and token guessing at
// speed (guessing a 256-bit token is hopeless anyway).
const (
	surveyRate  = 2  // per second, sustained
	surveyBurst = 30 // at once
)

// surveyPaths are the public, unauthenticated survey routes: the page and its
// form (package web) and the API.
var surveyPaths = []string{"/s/", "/api/v1/surveys/"}

// limitSurveys applies l to the survey routes only, wherever they are registered.
func limitSurveys(l *RateLimiter) echo.MiddlewareFunc {
	mw := l.Middleware()
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		limited := mw(next)
		return func(c echo.Context) error {
			p := c.Request().URL.Path
			for _, prefix := range surveyPaths {
				if !strings.HasPrefix(p, prefix) {
					continue
				}
				if strings.HasPrefix(p, "/api/") {
					return limited(c)
				}
				// The survey page and its form answer HTML, the 429 too (issue 16 item 11).
				if ip := ClientIP(c); ip != "" {
					if ok, wait := l.Allow(ip); !ok {
						_ = TooManyRequests(c, wait) // sets Retry-After
						return c.HTML(http.StatusTooManyRequests, surveyBusyPage)
					}
				}
				return next(c)
			}
			return next(c)
		}
	}
}

// surveyBusyPage is the survey page's 429, for a citizen's phone: Chinese first.
const surveyBusyPage = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">` +
	`<meta name="viewport" content="width=device-width, initial-scale=1"><title>请稍后再试</title></head>` +
	`<body><p>请求过于频繁，请稍后再试。</p><p lang="en">Too many requests from this address; please try again in a moment.</p></body></html>`
