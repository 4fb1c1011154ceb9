package bench

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"
)

// Row is one figure of a scenario, side by side with its baseline.
type Row struct {
	Figure   string
	Rectify  string
	Baseline string
	Ratio    string
	Target   string
	Met      string // "yes", "no", or "" when the figure has no target
}

// Section is one scenario's result: a BENCHMARKS.md section of its own.
type Section struct {
	Key   string // the -scenario name
	Title string // the Markdown heading
	Setup []string
	Rows  []Row
	Notes []string
	// Elapsed is how long the scenario took, set by the runner.
	Elapsed time.Duration
}

// Header says where and how the figures were made.
type Header struct {
	Command string
	Started time.Time
	Quick   bool
}

// Machine describes this computer: cores, memory, CPU model, load at start.
func Machine() string {
	model := ""
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	mem := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int64
		fmt.Sscanf(strings.SplitN(string(b), "\n", 2)[0], "MemTotal: %d kB", &kb)
		mem = fmt.Sprintf("%.1f GiB memory", float64(kb)/(1<<20))
	}
	load := ""
	if l := LoadAvg(); l != "?" {
		load = "load average " + l
	}
	parts := []string{fmt.Sprintf("%d cores", runtime.NumCPU())}
	for _, p := range []string{model, mem, runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH, load} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ", ")
}

// LoadAvg is the 1, 5 and 15 minute load averages ("?" where unknown).
func LoadAvg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// PrintTable writes every section's rows as one aligned table.
func PrintTable(w io.Writer, secs []Section) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SCENARIO\tFIGURE\tRECTIFY\tBASELINE\tRATIO\tTARGET\tMET")
	for _, s := range secs {
		for _, r := range s.Rows {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.Key, r.Figure, r.Rectify, r.Baseline, r.Ratio, r.Target, r.Met)
		}
	}
	tw.Flush()
}

// Markdown renders a section with the machine and command it was measured with.
func (s Section) Markdown(h Header, machine string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## %s\n\n", s.Title)
	mode := "full"
	if h.Quick {
		mode = "quick (smoke figures, not for judging)"
	}
	fmt.Fprintf(&b, "Measured %s with `%s` (%s mode; this scenario took %s) on %s.\n\n",
		h.Started.UTC().Format("2006-01-02 15:04 MST"), h.Command, mode, s.Elapsed.Round(time.Second), machine)
	for _, l := range s.Setup {
		fmt.Fprintf(&b, "- %s\n", l)
	}
	if len(s.Setup) > 0 {
		b.WriteString("\n")
	}
	b.WriteString("| Figure | rectify | Baseline | Ratio | Target | Met |\n|---|---|---|---|---|---|\n")
	for _, r := range s.Rows {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", r.Figure, r.Rectify, r.Baseline, r.Ratio, r.Target, r.Met)
	}
	for i, n := range s.Notes {
		if i == 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "%s\n", n)
	}
	return b.String()
}

const fileIntro = `# Benchmarks

Every figure stands next to a baseline measured in the same run on the same machine,
and the ratio between them is what is judged: absolute numbers move with the machine
and whatever else runs on it. Sections written by ` + "`make bench`" + ` are replaced
when their scenario runs again; other sections are kept as they are.
`

// UpdateFile replaces (or appends) the given sections in the Markdown file at path,
// keeping everything else, and creates the file when missing.
func UpdateFile(path string, h Header, secs []Section) error {
	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	text := string(old)
	if strings.TrimSpace(text) == "" {
		text = fileIntro
	}
	machine := Machine()
	for _, s := range secs {
		text = replaceSection(text, s.Title, s.Markdown(h, machine))
	}
	return os.WriteFile(path, []byte(text), 0o644)
}

// replaceSection swaps the "## title" section (up to the next "## " heading) for
// body, or appends body when there is none.
func replaceSection(text, title, body string) string {
	lines := strings.SplitAfter(text, "\n")
	start, end := -1, len(lines)
	for i, l := range lines {
		t := strings.TrimRight(l, "\r\n")
		if start < 0 && t == "## "+title {
			start = i
			continue
		}
		if start >= 0 && strings.HasPrefix(t, "## ") {
			end = i
			break
		}
	}
	if start < 0 {
		if !strings.HasSuffix(text, "\n") {
			text += "\n"
		}
		return text + "\n" + body
	}
	rest := strings.Join(lines[end:], "")
	if rest != "" {
		body += "\n"
	}
	return strings.Join(lines[:start], "") + body + rest
}

// Formatting helpers shared by the scenarios.

func ratio(rectify, baseline float64) float64 {
	if baseline == 0 {
		return 0
	}
	return rectify / baseline
}

func fx(r float64) string { return fmt.Sprintf("%.2f×", r) }

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

func perSec(n float64) string {
	if n >= 100 {
		return fmt.Sprintf("%.0f/s", n)
	}
	return fmt.Sprintf("%.1f/s", n)
}

func mib(b int64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }

func met(ok bool) string {
	if ok {
		return "yes"
	}
	return "no"
}

func numCPU() int { return runtime.NumCPU() }
