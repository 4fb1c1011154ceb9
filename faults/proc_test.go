package faults

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"rectify/prodshape"
)

// proc is one rectify process that a test may kill -9 and start again with the
// same arguments, environment and data; every run appends to the same log file.
type proc struct {
	t    testing.TB
	name string
	bin  string // the program; rectify unless newProgram said otherwise
	args []string
	env  []string
	log  string

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{}
}

// newProc starts `rectify args...` with env on top of a clean environment.
func newProc(t testing.TB, name string, env map[string]string, args ...string) *proc {
	t.Helper()
	return newProgram(t, name, binary, env, args...)
}

// newProgram is newProc for another program (the production shape's Temporal server).
func newProgram(t testing.TB, name, bin string, env map[string]string, args ...string) *proc {
	t.Helper()
	p := &proc{t: t, name: name, bin: bin, args: args, env: cleanEnv(env), log: filepath.Join(t.TempDir(), name+".log")}
	p.start()
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			p.tail(40)
		}
	})
	return p
}

// cleanEnv is the test's environment without any RECTIFY_* variable (`make test`
// exports some) plus env.
func cleanEnv(env map[string]string) []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "RECTIFY_") {
			out = append(out, kv)
		}
	}
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	return out
}

func (p *proc) start() {
	p.t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	// The logs (slog writes to stderr) go to p.log; stdout (the dev banner, with
	// its example request) to a file beside it.
	f, err := os.OpenFile(p.log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		p.t.Fatal(err)
	}
	out, err := os.OpenFile(strings.TrimSuffix(p.log, ".log")+".out", os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		p.t.Fatal(err)
	}
	fmt.Fprintf(f, "\n=== faults: start %s %s at %s\n", p.name, strings.Join(p.args, " "), time.Now().Format(time.RFC3339Nano))
	cmd := exec.Command(p.bin, p.args...)
	cmd.Env, cmd.Stdout, cmd.Stderr = p.env, out, f
	if err := cmd.Start(); err != nil {
		f.Close()
		out.Close()
		p.t.Fatalf("start %s: %v", p.name, err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		f.Close()
		out.Close()
		close(exited)
	}()
	p.cmd, p.exited = cmd, exited
}

// kill sends SIGKILL (no shutdown code runs) and waits until the process is gone.
func (p *proc) kill() { p.end(syscall.SIGKILL) }

// stop asks the process to shut down and kills it if it has not within 20 s.
func (p *proc) stop() { p.end(syscall.SIGTERM) }

// end sends sig to the running process (if any) and waits until it is gone,
// sending SIGKILL after 20 s.
func (p *proc) end(sig syscall.Signal) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil {
		return
	}
	_ = p.cmd.Process.Signal(sig)
	select {
	case <-p.exited:
	case <-time.After(20 * time.Second):
		_ = p.cmd.Process.Signal(syscall.SIGKILL)
		<-p.exited
	}
	p.cmd = nil
}

// alive reports whether the process is still running.
func (p *proc) alive() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil {
		return false
	}
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

// waitLog waits until the log has a line containing s, written by the current run.
func (p *proc) waitLog(ctx context.Context, s string) {
	p.t.Helper()
	for {
		b, _ := os.ReadFile(p.log)
		runs := strings.Split(string(b), "\n=== faults: start ")
		if strings.Contains(runs[len(runs)-1], s) {
			return
		}
		if !p.alive() {
			p.tail(40)
			p.t.Fatalf("%s exited before logging %q", p.name, s)
		}
		select {
		case <-ctx.Done():
			p.tail(40)
			p.t.Fatalf("%s did not log %q: %v", p.name, s, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// waitReady polls base/readyz until it answers 200.
func (p *proc) waitReady(ctx context.Context, base string) {
	p.t.Helper()
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if !p.alive() {
			p.tail(40)
			p.t.Fatalf("%s exited before it was ready", p.name)
		}
		select {
		case <-ctx.Done():
			p.tail(40)
			p.t.Fatalf("%s not ready at %s: %v (last error: %v)", p.name, base, ctx.Err(), err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func (p *proc) tail(n int) {
	b, _ := os.ReadFile(p.log)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	p.t.Logf("last %d lines of %s's log:\n%s", len(lines), p.name, strings.Join(lines, "\n"))
}

// phoneLike is a mainland mobile number standing alone: 11 digits starting 1[3-9],
// not part of a longer run of letters and digits (a hex run ID can hold 11 digits).
var phoneLike = regexp.MustCompile(`(^|[^0-9A-Za-z])(1[3-9][0-9]{9})([^0-9A-Za-z]|$)`)

// assertNoPhones fails the test if a log line (stderr) of any run holds a phone
// number.
func (p *proc) assertNoPhones() {
	p.t.Helper()
	f, err := os.Open(p.log)
	if err != nil {
		p.t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	lines, found := 0, 0
	for sc.Scan() {
		lines++
		if loc := phoneLike.FindStringSubmatchIndex(sc.Text()); loc != nil {
			if found++; found <= 3 {
				line := sc.Text()
				from, to := max(0, loc[4]-80), min(len(line), loc[5]+40)
				p.t.Errorf("%s logged a phone number (%s…) in: …%s…", p.name, line[loc[4]:loc[4]+3],
					line[from:loc[4]+3]+"********"+line[loc[5]:to])
			}
		}
	}
	if err := sc.Err(); err != nil {
		p.t.Fatal(err)
	}
	if found > 0 {
		p.t.Errorf("%s: %d of %d log lines hold a phone number", p.name, found, lines)
	}
}

// freePort returns a TCP port that was free a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// freePortRun returns the first of n consecutive free ports: the dev Temporal
// server takes its address's port and the next three.
func freePortRun(t testing.TB, n int) int {
	t.Helper()
	port, err := prodshape.FreePortRun(n)
	if err != nil {
		t.Fatal(err)
	}
	return port
}
