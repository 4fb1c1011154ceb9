// Package integration drives a whole rectify — real Postgres, a real in-process
// Temporal server, the worker and the HTTP API — through its HTTP contract only,
// the way a channel, a department, the call center, a supervisor and a citizen use
// it. The tests are the acceptance checks of issues 2 (the spine) and 3 (the 12345
// rules, with compressed time). There is no non-test code here but this comment.
package integration
