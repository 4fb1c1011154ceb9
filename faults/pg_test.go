package faults

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// privatePostgres is a throwaway cluster that a test may crash and restart; the
// shared server at 127.0.0.1:5432 belongs to everyone else's tests.
type privatePostgres struct {
	bin, dir, data string
	port           int
	as             []string // run as the postgres user when we are root
}

// newPrivatePostgres initialises and starts a cluster under /tmp on a free port,
// with the machine's initdb and pg_ctl (installing Debian's postgresql when they
// are missing and we are root). It skips the test only when that is impossible.
func newPrivatePostgres(t *testing.T) *privatePostgres {
	t.Helper()
	bin, err := postgresBin()
	if err != nil && os.Geteuid() == 0 {
		t.Log("no initdb/pg_ctl: installing Debian's postgresql")
		install := exec.Command("bash", "-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql")
		if out, ierr := install.CombinedOutput(); ierr != nil {
			t.Logf("apt-get: %v\n%s", ierr, out)
		}
		bin, err = postgresBin()
	}
	if err != nil {
		t.Skipf("SKIPPED: cannot run a private Postgres to restart (%v); install PostgreSQL's server binaries (apt-get install postgresql)", err)
	}
	p := &privatePostgres{bin: bin, port: freePort(t)}
	if p.dir, err = os.MkdirTemp("/tmp", "rectify-faults-pg-"); err != nil {
		t.Fatal(err)
	}
	p.data = filepath.Join(p.dir, "data")
	t.Cleanup(func() {
		_ = p.ctl("stop", "-m", "immediate").Run()
		_ = os.RemoveAll(p.dir)
	})
	if os.Geteuid() == 0 {
		// initdb and postgres refuse to run as root.
		if _, err := user.Lookup("postgres"); err != nil {
			if out, err := exec.Command("useradd", "--system", "--home-dir", "/var/lib/postgresql", "--shell", "/bin/bash", "postgres").CombinedOutput(); err != nil {
				t.Fatalf("useradd postgres: %v\n%s", err, out)
			}
		}
		if out, err := exec.Command("chown", "postgres:", p.dir).CombinedOutput(); err != nil {
			t.Fatalf("chown: %v\n%s", err, out)
		}
		p.as = []string{runuser(), "-u", "postgres", "--"}
	}
	initdb := p.cmd(filepath.Join(bin, "initdb"), "-D", p.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale")
	if out, err := initdb.CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	// fsync off: the test crashes the server, never the machine, and what a
	// crashed server wrote to the kernel survives it. synchronous_commit stays on,
	// so an answered commit is a durable one.
	conf := fmt.Sprintf("listen_addresses = '127.0.0.1'\nport = %d\nunix_socket_directories = '%s'\nmax_connections = 100\nfsync = off\n", p.port, p.dir)
	if err := appendFile(filepath.Join(p.data, "postgresql.conf"), conf); err != nil {
		t.Fatal(err)
	}
	if out, err := p.ctl("start", "-w", "-t", "60", "-l", filepath.Join(p.dir, "postgres.log")).CombinedOutput(); err != nil {
		t.Fatalf("pg_ctl start: %v\n%s", err, out)
	}
	return p
}

func (p *privatePostgres) url(db string) string {
	return "postgres://postgres@127.0.0.1:" + strconv.Itoa(p.port) + "/" + db + "?sslmode=disable"
}

// restart crashes the server (immediate: no checkpoint, clients cut off), leaves
// it down for down, and starts it again, which runs crash recovery.
func (p *privatePostgres) restart(t testing.TB, down time.Duration) {
	t.Helper()
	if out, err := p.ctl("stop", "-m", "immediate", "-w", "-t", "60").CombinedOutput(); err != nil {
		t.Errorf("pg_ctl stop: %v\n%s", err, out)
	}
	time.Sleep(down)
	if out, err := p.ctl("start", "-w", "-t", "60", "-l", filepath.Join(p.dir, "postgres.log")).CombinedOutput(); err != nil {
		t.Errorf("pg_ctl start: %v\n%s", err, out)
	}
}

func (p *privatePostgres) ctl(args ...string) *exec.Cmd {
	return p.cmd(filepath.Join(p.bin, "pg_ctl"), append([]string{"-D", p.data}, args...)...)
}

func (p *privatePostgres) cmd(name string, args ...string) *exec.Cmd {
	argv := append(append(append([]string{}, p.as...), name), args...)
	c := exec.Command(argv[0], argv[1:]...)
	c.Dir = p.dir
	return c
}

// postgresBin finds a folder with both initdb and pg_ctl: PATH first, then the
// newest /usr/lib/postgresql/*/bin (as scripts/ensure-postgres.sh does).
func postgresBin() (string, error) {
	if path, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(path); err == nil {
			if d := filepath.Dir(real); exists(filepath.Join(d, "pg_ctl")) {
				return d, nil
			}
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	for i := len(dirs) - 1; i >= 0; i-- {
		if exists(filepath.Join(dirs[i], "initdb")) && exists(filepath.Join(dirs[i], "pg_ctl")) {
			return dirs[i], nil
		}
	}
	return "", fmt.Errorf("initdb and pg_ctl not found on PATH or under /usr/lib/postgresql")
}

func runuser() string {
	for _, p := range []string{"/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"} {
		if exists(p) {
			return p
		}
	}
	return "runuser"
}

func exists(path string) bool { _, err := os.Stat(path); return err == nil }

func appendFile(path, s string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(s); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
