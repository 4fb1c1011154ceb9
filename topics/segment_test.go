package topics

import (
	"bufio"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

type sample struct {
	Group   string // n, p, m
	Comment string
}

func loadSamples(t testing.TB) []sample {
	t.Helper()
	f, err := os.Open("testdata/comments.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []sample
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		g, c, ok := strings.Cut(sc.Text(), "|")
		if !ok || strings.HasPrefix(g, "#") {
			continue
		}
		out = append(out, sample{g, c})
	}
	return out
}

// top counts, per group, the ratings whose comment mentions each term.
func top(seg *Segmenter, ss []sample, group string, n int) []string {
	counts := map[string]int{}
	for _, s := range ss {
		if s.Group == group {
			for _, t := range seg.Terms(s.Comment) {
				counts[t]++
			}
		}
	}
	var terms []string
	for t := range counts {
		terms = append(terms, t)
	}
	sort.Slice(terms, func(i, j int) bool {
		if counts[terms[i]] != counts[terms[j]] {
			return counts[terms[i]] > counts[terms[j]]
		}
		return terms[i] < terms[j]
	})
	if len(terms) > n {
		terms = terms[:n]
	}
	return terms
}

func TestSamplesTopTerms(t *testing.T) {
	ss := loadSamples(t)
	if len(ss) < 190 {
		t.Fatalf("%d samples", len(ss))
	}
	seg := &Segmenter{}
	start := time.Now()
	seg.Terms("预热")
	t.Logf("dictionary loaded in %v", time.Since(start))
	neg, pos := top(seg, ss, "n", 10), top(seg, ss, "p", 10)
	t.Logf("negative: %v", neg)
	t.Logf("positive: %v", pos)
	// What a supervisor reading these comments would name: queueing and
	// materials first among complaints, then windows, the system, attitude,
	// calling numbers, efficiency; patience first in praise, with warmth,
	// convenience, professionalism and 帮办.
	if neg[0] != "排队" || neg[1] != "材料" {
		t.Errorf("negative top two %v: want 排队, 材料", neg[:2])
	}
	for _, want := range []string{"窗口", "系统", "态度", "叫号", "效率"} {
		if !slices.Contains(neg, want) {
			t.Errorf("negative top ten %v lacks %s", neg, want)
		}
	}
	if pos[0] != "耐心" {
		t.Errorf("positive top %v: want 耐心 first", pos)
	}
	for _, want := range []string{"热情", "方便", "专业", "帮办"} {
		if !slices.Contains(pos, want) {
			t.Errorf("positive top ten %v lacks %s", pos, want)
		}
	}
	for _, g := range [][]string{neg, pos} {
		for _, term := range g {
			if slices.Contains(stopWords, term) || len([]rune(term)) < 2 {
				t.Errorf("%q counted: a stop word or a single character", term)
			}
		}
	}
}

func TestTermsRules(t *testing.T) {
	seg := &Segmenter{}
	for _, c := range []struct {
		text string
		want []string // all of these, whole
		not  []string // none of these
	}{
		{"一网通办很方便，容缺受理也好", []string{"一网通办", "容缺受理", "方便"}, []string{"一网", "通办", "容缺"}},
		{"请打13812345678联系我", nil, []string{"13812345678"}},
		{"排队排队还是排队", []string{"排队"}, []string{"还是"}},
		{"非常满意，谢谢", nil, []string{"满意", "非常", "谢谢"}},
		{"帮办和叫号都很好", []string{"帮办", "叫号"}, nil},
	} {
		got := seg.Terms(c.text)
		for _, w := range c.want {
			if !slices.Contains(got, w) {
				t.Errorf("Terms(%q) = %v: lacks %q", c.text, got, w)
			}
		}
		for _, w := range c.not {
			if slices.Contains(got, w) {
				t.Errorf("Terms(%q) = %v: has %q", c.text, got, w)
			}
		}
		if c.text == "排队排队还是排队" && len(got) != 1 {
			t.Errorf("Terms(%q) = %v: want 排队 once", c.text, got)
		}
	}
	// An admin's words: a new term stays whole, a stop word goes.
	seg.SetWords(map[string]string{"跨省通办": "term", "大厅": "stop"})
	got := seg.Terms("跨省通办在大厅办的")
	if !slices.Contains(got, "跨省通办") || slices.Contains(got, "大厅") {
		t.Errorf("with the admin's words: %v", got)
	}
}

func TestMask(t *testing.T) {
	for _, c := range []struct{ in, name, want string }{
		{"电话13812345678", "", "电话***********"},
		{"手机 139-1234-5678 找我", "", "手机 ************* 找我"},
		{"身份证32010219800101123X", "", "身份证******************"},
		{"编号123456不变", "", "编号123456不变"},
		{"邮箱 zhang.san@example.com", "", "邮箱 ***@***"},
		{"我叫张三，感谢", "", "我叫**，感谢"},
		{"王小明来办事", "王小明", "***来办事"},
	} {
		if got := Mask(c.in, c.name); got != c.want {
			t.Errorf("Mask(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
