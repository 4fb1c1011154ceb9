// Package faults proves that rectify loses nothing and duplicates nothing when
// things break. Its tests build the real binary, run it as separate processes on
// their own data and ports, kill -9 them mid-load, restart a private Postgres under
// them, and fail activities half-way; then they check that every accepted rating is
// stored exactly once, every negative rating has exactly one ticket whose workflow
// runs and answers actions, messages are neither lost nor doubled, and no phone
// number reached a log. There is no non-test code here but this comment.
package faults
