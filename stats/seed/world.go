package seed

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
)

// cities of Jiangsu with their 6-digit codes, and some district suffixes.
var cities = []struct{ code, name string }{
	{"320100", "南京市"}, {"320200", "无锡市"}, {"320300", "徐州市"}, {"320400", "常州市"}, {"320500", "苏州市"},
	{"320600", "南通市"}, {"320700", "连云港市"}, {"320800", "淮安市"}, {"320900", "盐城市"}, {"321000", "扬州市"},
	{"321100", "镇江市"}, {"321200", "泰州市"}, {"321300", "宿迁市"},
}

var districtSuffixes = []string{"02", "04", "05", "06", "11", "13", "14", "15", "16", "17"}

// agencies are the responsible departments every city has.
var agencies = []struct{ code, name string }{
	{"ZWFW", "政务服务管理办公室"}, {"SCJG", "市场监督管理局"}, {"GA", "公安局"}, {"RS", "人力资源和社会保障局"},
	{"YB", "医疗保障局"}, {"SW", "税务局"}, {"BDC", "不动产登记中心"}, {"GJJ", "住房公积金管理中心"},
	{"ZJ", "住房和城乡建设局"}, {"ZRZY", "自然资源和规划局"}, {"JT", "交通运输局"}, {"MZ", "民政局"},
	{"WJ", "卫生健康委员会"}, {"JY", "教育局"}, {"STHJ", "生态环境局"}, {"SL", "水务局"}, {"NY", "农业农村局"},
	{"SF", "司法局"}, {"CZ", "财政局"}, {"SWU", "商务局"}, {"WL", "文化广电和旅游局"}, {"YJ", "应急管理局"},
	{"TY", "退役军人事务局"}, {"XZSP", "行政审批局"},
}

// MaxDepartments is how many distinct departments the generator can name.
var MaxDepartments = len(cities) * len(agencies)

// department is one rated agency with its own volume, quality and staff.
type department struct {
	code, name string
	regions    []string
	items      []string
	staff      []string
	halls      []string
	share      float64 // of all ratings
	negRate    float64 // its chance of a negative rating
	lateRate   float64 // its chance of rectifying after the deadline
}

// world is the generated province: departments with skewed volumes (a Zipf-like
// law: the busiest handle tens of times what the quietest do) and uneven quality.
type world struct {
	depts []*department
	cum   []float64 // cumulative shares, for picking a department by volume
}

func newWorld(n int, rng *rand.Rand, negative float64) (*world, error) {
	if n < 1 || n > MaxDepartments {
		return nil, fmt.Errorf("departments must be 1 to %d", MaxDepartments)
	}
	w := &world{}
	// Agencies first across cities, so a small n still spans the province.
	var total, negSum float64
	for i := 0; i < n; i++ {
		c, a := cities[i%len(cities)], agencies[i/len(cities)]
		d := &department{code: c.code + "-" + a.code, name: c.name + a.name}
		for _, s := range districtSuffixes[:3+rng.IntN(len(districtSuffixes)-2)] {
			d.regions = append(d.regions, c.code[:4]+s)
		}
		nItems := 3 + rng.IntN(38)
		for k := 1; k <= nItems; k++ {
			d.items = append(d.items, fmt.Sprintf("%s-SX%03d", d.code, k))
		}
		w.depts = append(w.depts, d)
	}
	// Volumes: rank r gets 1/(r+1)^0.9, ranks shuffled so the busy ones are spread.
	ranks := rng.Perm(n)
	for i, d := range w.depts {
		d.share = 1 / math.Pow(float64(ranks[i]+1), 0.9)
		total += d.share
		// Quality varies by a factor of ~10 between the best and the worst.
		d.negRate = math.Exp(rng.NormFloat64() * 0.6)
		negSum += d.negRate * d.share
		d.lateRate = 0.03 + rng.Float64()*0.2
	}
	for _, d := range w.depts {
		d.share /= total
		d.negRate = math.Min(0.3, d.negRate*negative/(negSum/total))
		nStaff := 3 + int(d.share*float64(n)*15) + rng.IntN(5)
		for k := 1; k <= nStaff; k++ {
			d.staff = append(d.staff, fmt.Sprintf("%s-%04d", d.code, k))
		}
		for k := 1; k <= 1+nStaff/20; k++ {
			d.halls = append(d.halls, fmt.Sprintf("%s-DT%02d", d.code[:6], k))
		}
	}
	acc := 0.0
	for _, d := range w.depts {
		acc += d.share
		w.cum = append(w.cum, acc)
	}
	return w, nil
}

func (w *world) pick(rng *rand.Rand) *department {
	x := rng.Float64() * w.cum[len(w.cum)-1]
	i := sort.SearchFloat64s(w.cum, x)
	if i >= len(w.depts) {
		i = len(w.depts) - 1
	}
	return w.depts[i]
}

// weighted picks an index by weight.
func weighted(rng *rand.Rand, ws []float64) int {
	var sum float64
	for _, v := range ws {
		sum += v
	}
	x := rng.Float64() * sum
	for i, v := range ws {
		if x < v {
			return i
		}
		x -= v
	}
	return len(ws) - 1
}

var (
	channelNames   = []string{"hall", "web", "mobile", "kiosk", "hotline"}
	channelWeights = []float64{38, 24, 24, 9, 5}
	aspectNames    = []string{"attitude", "handling", "result", "queueing", "guide", "competence", "convenience", "delivery"}
	// negatives name attitude and handling most; positives spread evenly.
	negAspectWeights = []float64{25, 20, 15, 10, 10, 10, 6, 4}
	posAspectWeights = []float64{14, 14, 14, 12, 12, 14, 12, 8}
	surnames         = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈")
	complaints       = []string{
		"排队时间太长，叫号混乱", "窗口人员态度生硬", "办事指南与实际要求不一致，跑了两趟", "材料一次性告知不到位",
		"系统反复卡顿无法提交", "办理时限超过承诺", "证照邮寄迟迟未到", "咨询电话长时间无人接听",
		"网上申报后仍要求到现场", "工作人员业务不熟练", "自助终端故障无人处理", "收费标准解释不清",
	}
	praises = []string{"办事效率高", "工作人员热情耐心", "一次办好，很方便", "指引清楚", ""}
)
