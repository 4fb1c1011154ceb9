package stats

import (
	"context"
	"fmt"
	"time"
)

// Settings are what supervisors tune: the score weights and the red/black lists'
// minimum volume.
type Settings struct {
	Weights   Weights   `json:"weights"`    // best level first
	MinVolume int       `json:"min_volume"` // the least base a department needs to be ranked
	UpdatedBy string    `json:"updated_by,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Validate checks the settings before they are stored.
func (s Settings) Validate() error {
	if err := s.Weights.Validate(); err != nil {
		return err
	}
	if s.MinVolume < 0 || s.MinVolume > 1_000_000 {
		return fmt.Errorf("min_volume must be between 0 and 1000000")
	}
	return nil
}

// Settings reads the current settings.
func (s *Service) Settings(ctx context.Context) (st Settings, err error) {
	defer wrap(&err, "stats.Settings")
	var w []float64
	err = s.DB.QueryRow(ctx, `SELECT weights::float8[], min_total, updated_by, updated_at FROM stats_settings`).
		Scan(&w, &st.MinVolume, &st.UpdatedBy, &st.UpdatedAt)
	if err != nil {
		return st, err
	}
	if len(w) != len(st.Weights) {
		return st, fmt.Errorf("stored weights have %d entries", len(w))
	}
	copy(st.Weights[:], w)
	return st, nil
}

// PutSettings stores validated settings.
func (s *Service) PutSettings(ctx context.Context, st Settings, by string) (err error) {
	defer wrap(&err, "stats.PutSettings")
	_, err = s.DB.Exec(ctx, `UPDATE stats_settings SET weights = $1::float8[]::numeric[], min_total = $2,
		updated_by = $3, updated_at = now()`, st.Weights[:], st.MinVolume, by)
	return err
}
