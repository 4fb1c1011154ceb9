// Package config loads rectify's configuration once, with viper, from defaults, an
// optional YAML file, RECTIFY_* environment variables and flags, into one typed and
// validated Config. Nothing outside this package reads viper.
package config

import (
	"errors"
	"fmt"
	"maps"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"
)

// Config is everything rectify can be told.
type Config struct {
	DataDir  string `mapstructure:"data_dir"`
	Database struct {
		URL string `mapstructure:"url"`
	} `mapstructure:"database"`
	HTTP struct {
		Addr    string `mapstructure:"addr"`
		BaseURL string `mapstructure:"base_url"` // public address used in SMS links
	} `mapstructure:"http"`
	Temporal struct {
		Address   string `mapstructure:"address"`
		Namespace string `mapstructure:"namespace"`
		TaskQueue string `mapstructure:"task_queue"`
		// StickyCacheSize bounds how many ticket workflows a worker keeps in memory.
		StickyCacheSize int `mapstructure:"sticky_cache_size"`
		// NamespaceRetention is how long closed workflows stay readable; `rectify
		// migrate` uses it only when it registers a missing namespace.
		NamespaceRetention time.Duration `mapstructure:"namespace_retention"`
		// UIAddr is where `rectify dev` serves Temporal's Web UI (loopback only; "" = none).
		UIAddr string `mapstructure:"ui_addr"`
	} `mapstructure:"temporal"`
	Auth struct {
		BootstrapAdminToken string        `mapstructure:"bootstrap_admin_token"`
		MaxFailedLogins     int           `mapstructure:"max_failed_logins"` // wrong passwords in a row before a lockout
		LockFor             time.Duration `mapstructure:"lock_for"`
		SessionTTL          time.Duration `mapstructure:"session_ttl"`
		SessionIdle         time.Duration `mapstructure:"session_idle"`
	} `mapstructure:"auth"`
	Calendar struct {
		Zone          string        `mapstructure:"zone"`
		EndOfDay      string        `mapstructure:"end_of_day"` // HH:MM
		Mode          string        `mapstructure:"mode"`       // real | compressed
		CompressedDay time.Duration `mapstructure:"compressed_day"`
	} `mapstructure:"calendar"`
	Rules struct {
		SignDays           int `mapstructure:"sign_days"`
		RectifyDays        int `mapstructure:"rectify_days"`
		RemindBeforeDays   int `mapstructure:"remind_before_days"`
		EscalateAfterDays  int `mapstructure:"escalate_after_days"`
		SurveyDays         int `mapstructure:"survey_days"`
		MaxRounds          int `mapstructure:"max_rounds"`
		MaxCallAttempts    int `mapstructure:"max_call_attempts"`
		ExtensionsPerRound int `mapstructure:"extensions_per_round"`
		MaxExtensionDays   int `mapstructure:"max_extension_days"`
	} `mapstructure:"rules"`
	Deadlines struct {
		// SweepInterval is how often the deadline sweeper looks for tickets whose
		// next deadline has passed (engine.RunDeadlineSweeper); in calendar.mode
		// compressed it is at most an eighth of a compressed day.
		SweepInterval time.Duration `mapstructure:"sweep_interval"`
	} `mapstructure:"deadlines"`
	Survey struct {
		TTL time.Duration `mapstructure:"ttl"`
		// ServiceName is what citizens see on the survey page: the public service's
		// own name, not the staff workbench's title.
		ServiceName string `mapstructure:"service_name"`
	} `mapstructure:"survey"`
	Log struct {
		Level  string `mapstructure:"level"`  // debug | info | warn | error
		Format string `mapstructure:"format"` // text | json
	} `mapstructure:"log"`
	Ecosystem `mapstructure:",squash"` // metrics, tracing, 12345 platform, SMS gateway, shutdown: ecosystem.go
}

// Location is the calendar zone, resolved.
func (c Config) Location() *time.Location {
	loc, _ := time.LoadLocation(c.Calendar.Zone) // validated in Load
	return loc
}

// EndOfDay is the calendar's end-of-working-day clock time as an offset from midnight.
func (c Config) EndOfDay() time.Duration {
	t, _ := time.Parse("15:04", c.Calendar.EndOfDay) // validated in Load
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute
}

func defaults(v *viper.Viper) {
	v.SetDefault("data_dir", ".data")
	v.SetDefault("database.url", "postgres://postgres@127.0.0.1:5432/rectify?sslmode=disable")
	v.SetDefault("http.addr", "127.0.0.1:8080")
	v.SetDefault("http.base_url", "")
	v.SetDefault("temporal.address", "127.0.0.1:7233")
	v.SetDefault("temporal.namespace", "default")
	v.SetDefault("temporal.task_queue", "rectify")
	v.SetDefault("temporal.sticky_cache_size", 2000)
	v.SetDefault("temporal.namespace_retention", "720h")
	v.SetDefault("temporal.ui_addr", "127.0.0.1:8233")
	v.SetDefault("auth.bootstrap_admin_token", "")
	v.SetDefault("auth.max_failed_logins", 5)
	v.SetDefault("auth.lock_for", "15m")
	v.SetDefault("auth.session_ttl", "12h")
	v.SetDefault("auth.session_idle", "2h")
	v.SetDefault("calendar.zone", "Asia/Shanghai")
	v.SetDefault("calendar.end_of_day", "18:00")
	v.SetDefault("calendar.mode", "real")
	v.SetDefault("calendar.compressed_day", "2s")
	v.SetDefault("rules.sign_days", 1)
	v.SetDefault("rules.rectify_days", 5)
	v.SetDefault("rules.remind_before_days", 1)
	v.SetDefault("rules.escalate_after_days", 2)
	v.SetDefault("rules.survey_days", 2)
	v.SetDefault("rules.max_rounds", 3)
	v.SetDefault("rules.max_call_attempts", 3)
	v.SetDefault("rules.extensions_per_round", 1)
	v.SetDefault("rules.max_extension_days", 15)
	v.SetDefault("deadlines.sweep_interval", "15s")
	v.SetDefault("survey.ttl", "168h")
	v.SetDefault("survey.service_name", "政务服务好差评")
	v.SetDefault("log.level", "info")
	v.SetDefault("log.format", "text")
	ecosystemDefaults(v)
}

// Flags declares the command-line flags that override configuration keys.
func Flags(fs *pflag.FlagSet) {
	fs.String("config", "", "YAML configuration file")
	fs.String("database-url", "", "Postgres URL (database.url)")
	fs.String("http-addr", "", "HTTP listen address (http.addr)")
	fs.String("temporal-address", "", "Temporal frontend host:port (temporal.address)")
	fs.String("data-dir", "", "folder for local files (data_dir)")
	fs.String("calendar-mode", "", "real | compressed (calendar.mode)")
}

var flagKeys = map[string]string{
	"database-url": "database.url", "http-addr": "http.addr", "temporal-address": "temporal.address",
	"data-dir": "data_dir", "calendar-mode": "calendar.mode",
}

// Load reads the configuration. A bad value is an error naming its key.
func Load(fs *pflag.FlagSet) (Config, error) {
	v := viper.New()
	defaults(v)
	v.SetEnvPrefix("RECTIFY")
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	v.AutomaticEnv()
	if fs != nil {
		for flag, key := range flagKeys {
			if f := fs.Lookup(flag); f != nil && f.Changed {
				v.Set(key, f.Value.String())
			}
		}
		if f := fs.Lookup("config"); f != nil && f.Value.String() != "" {
			v.SetConfigFile(f.Value.String())
			if err := v.ReadInConfig(); err != nil {
				return Config{}, fmt.Errorf("config file: %w", err)
			}
		}
	}
	var c Config
	if err := v.Unmarshal(&c); err != nil {
		return c, fmt.Errorf("config: %w", err)
	}
	return c, c.Validate()
}

// Validate checks every value and names the key of the first bad one.
func (c Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("config %s: %s", key, fmt.Sprintf(format, args...)))
	}
	if u, err := url.Parse(c.Database.URL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		bad("database.url", "must be a postgres:// URL")
	}
	if _, _, err := net.SplitHostPort(c.HTTP.Addr); err != nil {
		bad("http.addr", "must be host:port, got %q", c.HTTP.Addr)
	}
	if _, _, err := net.SplitHostPort(c.Temporal.Address); err != nil {
		bad("temporal.address", "must be host:port, got %q", c.Temporal.Address)
	}
	if c.Temporal.Namespace == "" {
		bad("temporal.namespace", "must not be empty")
	}
	if c.Temporal.TaskQueue == "" {
		bad("temporal.task_queue", "must not be empty")
	}
	if c.Temporal.NamespaceRetention < 24*time.Hour { // Temporal's own minimum is one day
		bad("temporal.namespace_retention", "must be at least 24h, got %s", c.Temporal.NamespaceRetention)
	}
	if c.DataDir == "" {
		bad("data_dir", "must not be empty")
	}
	if c.Deadlines.SweepInterval <= 0 {
		bad("deadlines.sweep_interval", "must be positive, got %s", c.Deadlines.SweepInterval)
	}
	if _, err := time.LoadLocation(c.Calendar.Zone); err != nil || c.Calendar.Zone == "" {
		bad("calendar.zone", "unknown time zone %q", c.Calendar.Zone)
	}
	if _, err := time.Parse("15:04", c.Calendar.EndOfDay); err != nil {
		bad("calendar.end_of_day", "must be HH:MM, got %q", c.Calendar.EndOfDay)
	}
	switch c.Calendar.Mode {
	case "real":
	case "compressed":
		if c.Calendar.CompressedDay < 100*time.Millisecond {
			bad("calendar.compressed_day", "must be at least 100ms, got %s", c.Calendar.CompressedDay)
		}
	default:
		bad("calendar.mode", "must be real or compressed, got %q", c.Calendar.Mode)
	}
	positive := map[string]int{"rules.sign_days": c.Rules.SignDays, "rules.rectify_days": c.Rules.RectifyDays,
		"rules.survey_days": c.Rules.SurveyDays, "rules.max_rounds": c.Rules.MaxRounds,
		"rules.max_call_attempts": c.Rules.MaxCallAttempts, "rules.max_extension_days": c.Rules.MaxExtensionDays,
		"temporal.sticky_cache_size": c.Temporal.StickyCacheSize}
	for _, k := range slices.Sorted(maps.Keys(positive)) {
		if positive[k] < 1 {
			bad(k, "must be at least 1, got %d", positive[k])
		}
	}
	for k, n := range map[string]int{"rules.remind_before_days": c.Rules.RemindBeforeDays,
		"rules.escalate_after_days": c.Rules.EscalateAfterDays, "rules.extensions_per_round": c.Rules.ExtensionsPerRound} {
		if n < 0 {
			bad(k, "must not be negative, got %d", n)
		}
	}
	for k, d := range map[string]time.Duration{"auth.lock_for": c.Auth.LockFor, "auth.session_ttl": c.Auth.SessionTTL,
		"auth.session_idle": c.Auth.SessionIdle} {
		if d <= 0 {
			bad(k, "must be a positive duration like 15m")
		}
	}
	if c.Auth.MaxFailedLogins < 1 {
		bad("auth.max_failed_logins", "must be at least 1")
	}
	if c.Survey.TTL <= 0 {
		bad("survey.ttl", "must be positive")
	}
	if strings.TrimSpace(c.Survey.ServiceName) == "" {
		bad("survey.service_name", "must not be empty")
	}
	if t := c.Auth.BootstrapAdminToken; t != "" && len(t) < 16 {
		bad("auth.bootstrap_admin_token", "must be at least 16 characters")
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		bad("log.level", "must be debug, info, warn or error")
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		bad("log.format", "must be text or json")
	}
	errs = append(errs, c.Ecosystem.validate()...)
	return errors.Join(errs...)
}
