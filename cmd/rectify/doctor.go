package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/spf13/cobra"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"rectify/calendar"
	"rectify/config"
	"rectify/store"
	"rectify/workflows"
)

// doctorCommand checks what a deployment depends on and says how to fix each
// problem. It changes nothing: it never creates the database or applies a
// migration. The exit code is 1 when any check failed; warnings alone pass.
func doctorCommand() *cobra.Command {
	return &cobra.Command{Use: "doctor",
		Short: "check configuration, database, migrations, Temporal and calendar data, and print what to fix",
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := config.Load(cmd.Flags())
			d := &doctor{out: cmd.OutOrStdout(), now: time.Now()}
			d.run(cmd.Context(), cfg, err)
			if d.problems > 0 {
				return fmt.Errorf("doctor: %d problem(s) to fix", d.problems)
			}
			return nil
		}}
}

type doctor struct {
	out                io.Writer
	now                time.Time
	problems, warnings int
}

func (d *doctor) line(mark, what, detail, fix string) {
	fmt.Fprintf(d.out, "%-5s %-26s %s\n", mark, what, detail)
	if fix != "" {
		fmt.Fprintf(d.out, "      %-26s fix: %s\n", "", fix)
	}
}

func (d *doctor) ok(what, detail string) { d.line("ok", what, detail, "") }

func (d *doctor) fail(what, detail, fix string) {
	d.problems++
	d.line("FAIL", what, detail, fix)
}

func (d *doctor) warn(what, detail, fix string) {
	d.warnings++
	d.line("warn", what, detail, fix)
}

// run performs every check it can; a failed dependency skips only what needs it.
func (d *doctor) run(ctx context.Context, cfg config.Config, cfgErr error) {
	if cfgErr != nil {
		for _, e := range strings.Split(cfgErr.Error(), "\n") {
			d.fail("config", e, "set the key in the config file or its RECTIFY_* environment variable (README: Configuration)")
		}
		return
	}
	d.config(cfg)
	st := d.database(ctx, cfg)
	if st != nil {
		defer st.Close()
		d.migrations(ctx, st)
		d.robots(ctx, cfg, st)
	}
	d.calendar(ctx, cfg, st)
	d.temporal(ctx, cfg)
	d.endpoints(ctx, cfg)
	fmt.Fprintf(d.out, "\n%d problem(s), %d warning(s)\n", d.problems, d.warnings)
}

func (d *doctor) config(cfg config.Config) {
	d.ok("config", fmt.Sprintf("valid (calendar %s, ticketing %s, sms %s, tracing %s)", cfg.Calendar.Mode,
		cfg.Ticketing.Mode, cfg.SMS.Mode, orOff(cfg.Tracing.OTLPEndpoint)))
	if cfg.Calendar.Mode == "compressed" {
		d.warn("calendar.mode", "compressed: a working day lasts "+cfg.Calendar.CompressedDay.String(),
			"set calendar.mode real outside demos and tests")
	}
	if cfg.HTTP.BaseURL == "" {
		d.warn("http.base_url", "empty: survey links in SMS will point at http://"+cfg.HTTP.Addr,
			"set http.base_url to the public address citizens can open")
	}
	if cfg.SMS.Mode == "dev" {
		d.warn("sms.mode", "dev: SMS are only logged and listed at GET /api/v1/notifications",
			"set sms.mode http with sms.url and sms.secret to reach citizens")
	}
}

// robots reports group robots whose messages keep failing, and robots whose
// messages would link to an address only this machine can open.
func (d *doctor) robots(ctx context.Context, cfg config.Config, st *store.Store) {
	h, err := st.CheckRobots(ctx)
	if err != nil {
		return // the migrations check has said why the schema cannot answer
	}
	if h.Robots == 0 {
		return
	}
	if h.Failing > 0 {
		d.warn("group robots", fmt.Sprintf("%d message(s) failing, the latest: %s", h.Failing, firstLine(errors.New(h.LastError))),
			"check the departments' webhook addresses and secrets on /admin/departments")
	} else {
		d.ok("group robots", fmt.Sprintf("%d department(s), no failing messages", h.Robots))
	}
	if cfg.HTTP.BaseURL == "" {
		d.warn("http.base_url", "empty: group-robot messages link to http://"+cfg.HTTP.Addr,
			"set http.base_url to the address staff open the workbench at")
	}
}

func orOff(s string) string {
	if s == "" {
		return "off"
	}
	return s
}

// database connects without creating anything: `rectify migrate` creates a
// missing database, the doctor only says so.
func (d *doctor) database(ctx context.Context, cfg config.Config) *store.Store {
	shown := redact(cfg.Database.URL)
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(cctx, cfg.Database.URL)
	var pgErr *pgconn.PgError
	switch {
	case errors.As(err, &pgErr) && pgErr.Code == "3D000":
		d.fail("database", shown+": the database does not exist", "run `rectify migrate`: it creates the database and its schema")
		return nil
	case err != nil:
		d.fail("database", shown+": "+firstLine(err), "start Postgres, or set database.url (RECTIFY_DATABASE_URL) to where it runs")
		return nil
	}
	_ = conn.Close(ctx)
	st, err := store.Open(cctx, cfg.Database.URL)
	if err != nil {
		d.fail("database", shown+": "+firstLine(err), "check database.url and the user's rights")
		return nil
	}
	d.ok("database", shown+" answers")
	return st
}

func (d *doctor) migrations(ctx context.Context, st *store.Store) {
	pending, err := st.PendingMigrations(ctx)
	switch {
	case err != nil:
		d.fail("migrations", firstLine(err), "check the user may read schema_migrations")
	case len(pending) > 0:
		d.fail("migrations", fmt.Sprintf("%d pending: %s", len(pending), strings.Join(pending, ", ")),
			"run `rectify migrate` (server and worker refuse to start on a schema that is behind)")
	default:
		d.ok("migrations", "schema is current")
	}
}

// calendar checks this year and the next have holiday data: deadlines are
// computed in working days, and a year without data stops every deadline in it.
func (d *doctor) calendar(ctx context.Context, cfg config.Config, st *store.Store) {
	cal := calendar.New(cfg.Location(), cfg.EndOfDay())
	overrides := "built-in data only (database not checked)"
	if st != nil {
		if err := st.LoadCalendarOverrides(ctx, cal); err != nil {
			d.fail("calendar", "overrides: "+firstLine(err), "check the calendar_overrides table")
		} else {
			overrides = "with the stored overrides"
		}
	}
	now := d.now.In(cfg.Location())
	for _, y := range []int{now.Year(), now.Year() + 1} {
		what := fmt.Sprintf("calendar %d", y)
		if _, source, err := cal.Year(y); err == nil {
			d.ok(what, "holiday data from "+source+", "+overrides)
			continue
		}
		fix := fmt.Sprintf("enter %d's holidays and adjusted working days (PUT /api/v1/calendar/days/{date} or the admin calendar page), or update github.com/6tail/lunar-go", y)
		// The State Council publishes next year's schedule in November: before
		// December no deadline reaches into next year, so its absence is a warning.
		if y == now.Year() || now.Month() == time.December {
			d.fail(what, "no holiday data: deadlines in this year cannot be computed", fix)
		} else {
			d.warn(what, "no holiday data yet", fix)
		}
	}
}

func (d *doctor) temporal(ctx context.Context, cfg config.Config) {
	what := "temporal " + cfg.Temporal.Address
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	quiet := sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	c, err := client.DialContext(cctx, client.Options{HostPort: cfg.Temporal.Address, Namespace: cfg.Temporal.Namespace, Logger: quiet})
	if err != nil {
		d.fail(what, firstLine(err), "start Temporal, or set temporal.address (RECTIFY_TEMPORAL_ADDRESS)")
		return
	}
	defer c.Close()
	ns := cfg.Temporal.Namespace
	if _, err := c.WorkflowService().DescribeNamespace(cctx, &workflowservice.DescribeNamespaceRequest{Namespace: ns}); err != nil {
		d.fail(what, fmt.Sprintf("namespace %q: %s", ns, firstLine(err)), "run `rectify migrate`: it registers the namespace and rectify's search attributes")
		return
	}
	d.ok(what, fmt.Sprintf("answers, namespace %q exists", ns))
	list, err := c.OperatorService().ListSearchAttributes(cctx, &operatorservice.ListSearchAttributesRequest{Namespace: ns})
	if err != nil {
		d.fail("search attributes", firstLine(err), "check the Temporal frontend's operator service is reachable")
	} else {
		var missing []string
		for name, typ := range workflows.SearchAttributes {
			if have, ok := list.GetCustomAttributes()[name]; !ok || have != typ {
				missing = append(missing, name+" ("+typ.String()+")")
			}
		}
		if len(missing) > 0 {
			d.fail("search attributes", "missing: "+strings.Join(missing, ", "),
				"run `rectify migrate`: it registers them (rectify worker refuses to start until then)")
		} else {
			d.ok("search attributes", "all registered")
		}
	}
	tq, err := c.DescribeTaskQueue(cctx, cfg.Temporal.TaskQueue, enumspb.TASK_QUEUE_TYPE_WORKFLOW)
	switch {
	case err != nil:
		d.warn("workers", "task queue "+cfg.Temporal.TaskQueue+": "+firstLine(err), "")
	case len(tq.GetPollers()) == 0:
		d.warn("workers", "no worker polls task queue "+cfg.Temporal.TaskQueue, "start `rectify worker` (tickets wait until one does)")
	default:
		d.ok("workers", fmt.Sprintf("%d poller(s) on task queue %s", len(tq.GetPollers()), cfg.Temporal.TaskQueue))
	}
}

// endpoints checks the configured neighbours accept connections; what they
// answer is their business, and the integration tests' (README: Integrations).
func (d *doctor) endpoints(ctx context.Context, cfg config.Config) {
	check := func(what, raw, fix string) {
		u, err := url.Parse(raw)
		if err != nil {
			d.fail(what, "unparsable URL", fix)
			return
		}
		host := u.Host
		if u.Port() == "" {
			port := "80"
			if u.Scheme == "https" {
				port = "443"
			}
			host = net.JoinHostPort(u.Hostname(), port)
		}
		var dl net.Dialer
		cctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		defer cancel()
		conn, err := dl.DialContext(cctx, "tcp", host)
		if err != nil {
			d.fail(what, host+": "+firstLine(err), fix)
			return
		}
		_ = conn.Close()
		d.ok(what, host+" accepts connections")
	}
	if cfg.Ticketing.Mode == "external" {
		check("12345 platform", cfg.Ticketing.ExternalURL, "check ticketing.external_url and the network path to the platform")
	}
	if cfg.SMS.Mode == "http" {
		check("sms gateway", cfg.SMS.URL, "check sms.url and the network path to the gateway")
	}
	if cfg.Tracing.OTLPEndpoint != "" {
		check("otlp collector", cfg.Tracing.OTLPEndpoint, "check tracing.otlp_endpoint, or leave it empty to turn tracing off")
	}
}

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(database.url)"
	}
	return u.Redacted()
}

func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}
