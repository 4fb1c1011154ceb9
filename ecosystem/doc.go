// Package ecosystem holds the end-to-end tests of rectify's connections to the
// systems around it (issue 8): the external 12345 platform and the SMS gateway,
// each faked by an HTTP server started in the test; the Prometheus metrics, scraped;
// and a rating's trace, followed from the HTTP request into the workflow. Each test
// runs a whole system (Postgres, an in-process Temporal, worker and API) through
// internal/testenv, so the OpenAPI contract is checked on every exchange too.
package ecosystem
