package services

import "sync"

// watchers are functions told after a change, for whoever keeps something
// derived from it (the API's caches and metrics). Registered at start-up.
type watchers[F any] struct {
	mu sync.Mutex
	fs []F
}

func (w *watchers[F]) add(f F) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.fs = append(w.fs, f)
}

func (w *watchers[F]) list() []F {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.fs
}
