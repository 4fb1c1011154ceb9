package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

func TestDefaultsAreValid(t *testing.T) {
	c, err := Load(nil)
	if err != nil {
		t.Fatalf("defaults: %v", err)
	}
	if c.Calendar.Zone != "Asia/Shanghai" || c.EndOfDay() != 18*time.Hour || c.Rules.RectifyDays != 5 || c.Temporal.Address != "127.0.0.1:7233" {
		t.Errorf("defaults = %+v", c)
	}
}

func TestSourcesOverrideInOrder(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "rectify.yaml")
	yaml := "http:\n  addr: 127.0.0.1:9000\ncalendar:\n  mode: compressed\n  compressed_day: 3s\nrules:\n  rectify_days: 7\n"
	if err := os.WriteFile(file, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("RECTIFY_RULES_RECTIFY_DAYS", "15")
	t.Setenv("RECTIFY_DATA_DIR", "/tmp/env-data")
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	Flags(fs)
	if err := fs.Parse([]string{"--config", file, "--data-dir", "/tmp/flag-data"}); err != nil {
		t.Fatal(err)
	}
	c, err := Load(fs)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		got, want any
	}{
		{"file", c.HTTP.Addr, "127.0.0.1:9000"},
		{"file duration", c.Calendar.CompressedDay, 3 * time.Second},
		{"env over file", c.Rules.RectifyDays, 15},
		{"flag over env", c.DataDir, "/tmp/flag-data"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, tc.got, tc.want)
		}
	}
}

// A bad value stops start-up with a message naming its key.
func TestBadValueNamesTheKey(t *testing.T) {
	for _, tc := range []struct{ env, value, key string }{
		{"RECTIFY_CALENDAR_MODE", "fast", "calendar.mode"},
		{"RECTIFY_CALENDAR_ZONE", "Mars/Olympus", "calendar.zone"},
		{"RECTIFY_HTTP_ADDR", "8080", "http.addr"},
		{"RECTIFY_DATABASE_URL", "mysql://x", "database.url"},
		{"RECTIFY_RULES_MAX_ROUNDS", "0", "rules.max_rounds"},
		{"RECTIFY_AUTH_BOOTSTRAP_ADMIN_TOKEN", "short", "auth.bootstrap_admin_token"},
		{"RECTIFY_CALENDAR_END_OF_DAY", "6pm", "calendar.end_of_day"},
		{"RECTIFY_AUTH_LOCK_FOR", "-1m", "auth.lock_for"},
	} {
		t.Run(tc.key, func(t *testing.T) {
			t.Setenv(tc.env, tc.value)
			_, err := Load(nil)
			if err == nil || !strings.Contains(err.Error(), tc.key) {
				t.Fatalf("%s=%s: error %v, want one naming %s", tc.env, tc.value, err, tc.key)
			}
		})
	}
}
