package stats

import (
	"bytes"
	"encoding/csv"
	"testing"
)

// Text cells a spreadsheet would run as formulas come out as text (issue 15 item
// 6: a staff_id of =cmd|' /C calc'!A0 was exported verbatim); numbers, negative
// ones included, stay numbers.
func TestCSVNeutralisesFormulas(t *testing.T) {
	s := Sheet{Name: "x", Headers: []string{"工号", "部门", "件数"}, Rows: [][]any{
		{"=cmd|' /C calc'!A0", "+1", int64(-3)},
		{"-2+3", "@SUM(A1:A2)", float64(-1.5)},
		{"\t=1", "\r=1", Rate(0.5)},
		{"A-1", "市场监管局", int64(2)},
	}}
	var b bytes.Buffer
	if err := WriteCSV(&b, s); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b.Bytes(), []byte("\uFEFF")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"工号", "部门", "件数"},
		{"'=cmd|' /C calc'!A0", "'+1", "-3"},
		{"'-2+3", "'@SUM(A1:A2)", "-1.50"},
		{"'\t=1", "'\r=1", "50.00%"},
		{"A-1", "市场监管局", "2"},
	}
	for i := range want {
		for j := range want[i] {
			if recs[i][j] != want[i][j] {
				t.Errorf("row %d cell %d: got %q, want %q", i, j, recs[i][j], want[i][j])
			}
		}
	}
}
