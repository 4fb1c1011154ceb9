package telemetry

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"rectify/domain"
	"rectify/store"
)

// Counter reads the gauges that live in the database.
type Counter interface {
	OpsCounts(ctx context.Context) (store.OpsCounts, error)
}

// WatchStore registers the database gauges: tickets by status, overdue now and the
// outbox backlog. They are read at scrape time, at most once per ttl: several
// Prometheus servers scraping every few seconds cost one query per ttl.
func (m *Metrics) WatchStore(c Counter, ttl time.Duration) {
	m.Registry.MustRegister(&storeCollector{c: c, ttl: ttl, errors: prometheus.NewCounter(prometheus.CounterOpts{
		Name: "rectify_metrics_store_errors_total", Help: "Failed reads of the database gauges."})})
	m.Registry.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "rectify_transitions_replaced_total",
		Help: "Ticket writes of a lost workflow task replaced by the workflow's version (store.ApplyChange), in this process."},
		func() float64 { return float64(store.Replacements()) }))
}

var (
	descTickets = prometheus.NewDesc("rectify_tickets", "Tickets by status.", []string{"status"}, nil)
	descOverdue = prometheus.NewDesc("rectify_tickets_overdue", "Open tickets past their deadline now.", nil, nil)
	descBacklog = prometheus.NewDesc("rectify_outbox_backlog", "Notifications not yet accepted by their gateway.", nil, nil)
	descFailing = prometheus.NewDesc("rectify_outbox_failing", "Unsent notifications whose last delivery attempt failed.", nil, nil)
	descOldest  = prometheus.NewDesc("rectify_outbox_oldest_seconds", "Age of the oldest unsent notification.", nil, nil)
)

type storeCollector struct {
	c      Counter
	ttl    time.Duration
	errors prometheus.Counter

	mu   sync.Mutex
	at   time.Time
	last store.OpsCounts
	ok   bool
}

func (s *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descTickets, descOverdue, descBacklog, descFailing, descOldest} {
		ch <- d
	}
	s.errors.Describe(ch)
}

func (s *storeCollector) Collect(ch chan<- prometheus.Metric) {
	oc, ok := s.read()
	s.errors.Collect(ch)
	if !ok {
		return // no value rather than a wrong zero; the error counter says why
	}
	for _, st := range domain.Statuses {
		ch <- prometheus.MustNewConstMetric(descTickets, prometheus.GaugeValue, float64(oc.TicketsByStatus[st]), string(st))
	}
	ch <- prometheus.MustNewConstMetric(descOverdue, prometheus.GaugeValue, float64(oc.OverdueOpen))
	ch <- prometheus.MustNewConstMetric(descBacklog, prometheus.GaugeValue, float64(oc.OutboxBacklog))
	ch <- prometheus.MustNewConstMetric(descFailing, prometheus.GaugeValue, float64(oc.OutboxFailing))
	ch <- prometheus.MustNewConstMetric(descOldest, prometheus.GaugeValue, oc.OutboxOldest.Seconds())
}

func (s *storeCollector) read() (store.OpsCounts, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ok && time.Since(s.at) < s.ttl {
		return s.last, true
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	oc, err := s.c.OpsCounts(ctx)
	if err != nil {
		s.errors.Inc()
		return s.last, s.ok && time.Since(s.at) < 4*s.ttl // a stale value for a short while beats a gap
	}
	s.at, s.last, s.ok = time.Now(), oc, true
	return oc, true
}
