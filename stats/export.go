package stats

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// Sheet is a table as exported: Chinese headers and one value per cell. Values are
// int64, float64 (Rate for fractions shown as percentages), string or Label.
type Sheet struct {
	Name    string
	Headers []string
	Rows    [][]any
}

// Rate is a fraction shown as a percentage.
type Rate float64

// labels are the Chinese names of channels and aspects, as reports print them.
var labels = map[Dim]map[string]string{
	Channel: {"web": "网上政务服务平台", "hall": "实体政务大厅", "mobile": "政务服务移动端", "kiosk": "自助终端",
		"hotline": "12345热线"},
	Aspect: {"queueing": "叫号取号", "guide": "办事指南", "handling": "办理环节", "result": "办事效果",
		"delivery": "快递送件", "convenience": "便捷性完善性", "attitude": "服务态度", "competence": "服务水平"},
}

// Label is a key's Chinese name for reports, or the key itself.
func Label(dim Dim, key string) string {
	if l, ok := labels[dim][key]; ok {
		return l
	}
	return key
}

var dimHeaders = map[Dim][]string{
	Department:  {"部门编码", "部门名称"},
	ServiceItem: {"部门编码", "部门名称", "服务事项编码"},
	Channel:     {"评价渠道"},
	Region:      {"行政区划代码"},
	Staff:       {"部门编码", "部门名称", "工作人员编号"},
	Aspect:      {"评价内容"},
}

// DimTitles name each table, for sheet names and file names.
var DimTitles = map[Dim]string{
	Department: "部门统计", ServiceItem: "服务事项统计", Channel: "渠道统计", Region: "区划统计",
	Staff: "工作人员统计", Aspect: "评价内容统计",
}

var metricHeaders = []string{"评价总数", "非常满意", "满意", "基本满意", "不满意", "非常不满意", "好评率", "差评率",
	"综合得分", "差评工单数", "已整改", "差评整改率", "按期整改", "按期整改率", "实名差评数", "已回访", "回访率",
	"回访满意", "整改满意率", "平均整改工作日", "退单工单数", "退单率", "延期工单数", "延期率", "重新交办工单数",
	"重办率", "当前超期工单数"}

func metricCells(m Metrics) []any {
	// A rate or mean with nothing to divide is an empty cell, as it is null in JSON.
	rate := func(x float64, base int64) any {
		if base == 0 {
			return ""
		}
		return Rate(x)
	}
	mean := func(x float64, base int64) any {
		if base == 0 {
			return ""
		}
		return x
	}
	return []any{m.Total, m.ByLevel.VerySatisfied, m.ByLevel.Satisfied, m.ByLevel.BasicallySatisfied,
		m.ByLevel.Dissatisfied, m.ByLevel.VeryDissatisfied, rate(m.SatisfactionRate, m.Total),
		rate(m.NegativeRate, m.Total), mean(m.Score, m.Total), m.Tickets, m.Rectified,
		rate(m.RectificationRate, m.Tickets), m.RectifiedOnTime, rate(m.OnTimeRate, m.Tickets), m.RealNameTickets,
		m.FollowedUp, rate(m.FollowupRate, m.RealNameTickets), m.SatisfiedAfterFollowup,
		rate(m.SatisfiedAfterFollowupRate, m.FollowedUp), mean(m.AvgRectifyWorkingDays, m.Rectified), m.Returns,
		rate(m.ReturnRate, m.Tickets), m.Extensions, rate(m.ExtensionRate, m.Tickets), m.Reopened,
		rate(m.ReopenRate, m.Tickets), m.Overdue}
}

func rowCells(r Row) []any {
	var cells []any
	if r.Dim.perDepartment() {
		cells = append(cells, r.DepartmentCode, r.DepartmentName)
	}
	if r.Dim != Department {
		cells = append(cells, Label(r.Dim, r.Key))
	}
	return append(cells, metricCells(r.Metrics)...)
}

// TableSheet is a statistics table as exported.
func TableSheet(dim Dim, rows []Row) Sheet {
	s := Sheet{Name: DimTitles[dim], Headers: append(append([]string{}, dimHeaders[dim]...), metricHeaders...)}
	for _, r := range rows {
		s.Rows = append(s.Rows, rowCells(r))
	}
	return s
}

var periodHeaders = map[Period]string{Daily: "日期", Weekly: "周起始日", Monthly: "月份"}

// TrendSheet is a trend as exported.
func TrendSheet(p Period, pts []Point) Sheet {
	s := Sheet{Name: "趋势", Headers: append([]string{periodHeaders[p]}, metricHeaders...)}
	for _, pt := range pts {
		start := pt.Start.Format(time.DateOnly)
		if p == Monthly {
			start = pt.Start.Format("2006-01")
		}
		s.Rows = append(s.Rows, append([]any{start}, metricCells(pt.Metrics)...))
	}
	return s
}

// RankingSheet is the red and black lists as one table, the list named in the
// first column.
func RankingSheet(r Ranking) Sheet {
	s := Sheet{Name: "红黑榜", Headers: append([]string{"榜单", "名次", "部门编码", "部门名称"}, metricHeaders...)}
	for _, list := range []struct {
		name string
		ps   []Placed
	}{{"红榜", r.Red}, {"黑榜", r.Black}} {
		for _, p := range list.ps {
			s.Rows = append(s.Rows, append([]any{list.name, int64(p.Place), p.DepartmentCode, p.DepartmentName},
				metricCells(p.Metrics)...))
		}
	}
	return s
}

// WriteCSV writes the sheet as UTF-8 CSV with a byte-order mark, which Excel needs
// to read Chinese headers; rates are percentages with two decimals.
func WriteCSV(w io.Writer, s Sheet) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(s.Headers); err != nil {
		return err
	}
	rec := make([]string, len(s.Headers))
	for _, row := range s.Rows {
		for i, v := range row {
			rec[i] = csvCell(v)
		}
		if err := cw.Write(rec[:len(row)]); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func csvCell(v any) string {
	switch v := v.(type) {
	case string:
		return csvText(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case Rate:
		return strconv.FormatFloat(float64(v)*100, 'f', 2, 64) + "%"
	case float64:
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
	return fmt.Sprint(v)
}

// csvText neutralises a text cell a spreadsheet would run as a formula (OWASP,
// CSV injection): one that starts with = + - @, a tab or a carriage return gets
// a leading apostrophe, which Excel and LibreOffice show as text. Text comes from
// ratings (a staff id, a department code) that any channel may send.
func csvText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// WriteXLSX writes the sheets as one Excel workbook: bold headers, rates formatted
// as percentages, numbers as numbers.
func WriteXLSX(w io.Writer, sheets ...Sheet) (err error) {
	defer wrap(&err, "stats.WriteXLSX")
	f := excelize.NewFile()
	defer f.Close()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	pct, err := f.NewStyle(&excelize.Style{NumFmt: 10}) // 0.00%
	if err != nil {
		return err
	}
	dec, err := f.NewStyle(&excelize.Style{NumFmt: 2}) // 0.00
	if err != nil {
		return err
	}
	for i, s := range sheets {
		name := s.Name
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return err
		}
		sw, err := f.NewStreamWriter(name)
		if err != nil {
			return err
		}
		head := make([]any, len(s.Headers))
		for j, h := range s.Headers {
			head[j] = excelize.Cell{StyleID: bold, Value: h}
		}
		if err := sw.SetRow("A1", head); err != nil {
			return err
		}
		for r, row := range s.Rows {
			cells := make([]any, len(row))
			for j, v := range row {
				switch v := v.(type) {
				case Rate:
					cells[j] = excelize.Cell{StyleID: pct, Value: float64(v)}
				case float64:
					cells[j] = excelize.Cell{StyleID: dec, Value: v}
				default:
					cells[j] = v
				}
			}
			cell, err := excelize.CoordinatesToCellName(1, r+2)
			if err != nil {
				return err
			}
			if err := sw.SetRow(cell, cells); err != nil {
				return err
			}
		}
		if err := sw.Flush(); err != nil {
			return err
		}
	}
	return f.Write(w)
}
