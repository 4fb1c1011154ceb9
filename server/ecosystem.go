package server

import (
	"github.com/labstack/echo/v4"

	"rectify/telemetry"
)

// Ecosystem is what the API needs to fit among the systems around it: the metrics
// it records and serves, and the secrets of the webhooks it accepts.
type Ecosystem struct {
	Metrics *telemetry.Metrics // nil: a private, unshared set
	// PlatformSecret verifies the 12345 platform's webhook (ticketing.mode
	// external); empty: the webhook is not found.
	PlatformSecret string
	// SMSSecret verifies the SMS gateway's receipts (sms.mode http); empty: not found.
	SMSSecret string
}

// routeEcosystem adds the endpoints of issue 8: metrics, the OpenAPI document and
// its reference page, and the webhooks; and instruments every route.
func (s *Server) routeEcosystem(e *echo.Echo) {
	if s.Ecosystem.Metrics == nil {
		s.Ecosystem.Metrics = telemetry.NewMetrics()
	}
	e.Use(s.instrument)
	e.GET("/metrics", echo.WrapHandler(s.Ecosystem.Metrics.Handler()))
	s.routeDocs(e)
	e.POST("/api/v1/webhooks/12345", s.platformWebhook, limit(maxBody))
	e.POST("/api/v1/webhooks/sms-receipts", s.smsReceipts, limit(maxBatchBody))
}
