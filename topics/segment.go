package topics

import (
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/go-ego/gse"
)

// DomainTerms are government-service words the segmenter keeps whole (an admin
// adds more: topic_words). Without them gse splits 一网通办 into 一网/通办 and
// 容缺受理 into 容缺/受理, and a supervisor looking for the term sees neither.
var DomainTerms = []string{
	"叫号", "取号", "排号", "排队", "等候", "等待时间", "帮办", "代办", "一网通办", "一窗通办",
	"一件事", "一次办", "最多跑一次", "跑一次", "跑多次", "多次跑", "来回跑", "不见面审批", "容缺受理", "告知承诺",
	"一次性告知", "材料", "证明材料", "补材料", "补正", "退回", "退件", "反复退回", "办事指南", "网上办",
	"掌上办", "自助终端", "自助机", "预约", "窗口", "大厅", "卡顿", "系统故障", "网络故障", "掉线",
	"审批", "办结", "办件", "营业执照", "社保", "医保", "公积金", "不动产", "户籍", "身份证", "居住证", "驾驶证",
	"推诿", "踢皮球", "刁难", "不作为", "服务态度", "耐心", "热情", "专业", "高效", "快捷",
	"细致", "周到", "主动", "效率", "速度快", "太慢", "拖延", "午休", "下班", "提前下班",
	"停车", "指引", "引导", "导办", "咨询", "电话打不通", "没人接", "答复", "解释", "上门服务", "延时服务",
	"邮寄", "快递", "免费邮寄", "人脸识别", "实名认证", "填表", "重复提交", "重复填写",
}

// stopWords are words comments are full of that say nothing about the service
// beyond the level the rating already carries, on top of gse's Chinese stop list.
var stopWords = []string{
	"满意", "不满意", "非常满意", "基本满意", "非常不满意", "非常", "特别", "比较", "还是", "还行", "一般", "可以",
	"没有", "就是", "但是", "因为", "所以", "希望", "建议", "感觉", "觉得", "真的", "这次", "这里", "那里", "今天",
	"昨天", "时候", "一下", "一点", "有点", "这么", "那么", "什么", "怎么", "已经", "还有", "不是", "不能", "不会",
	"需要", "东西", "事情", "问题", "情况", "服务", "工作人员", "工作", "办事", "办理", "业务", "政务", "部门",
	"我们", "你们", "他们", "她们", "自己", "大家", "一个", "一些", "很多", "好评", "差评", "评价", "谢谢",
	"感谢", "点赞", "给力", "不错", "很好", "挺好", "太差", "垃圾", "一直", "时间", "没人", "不用", "一次", "每次",
	"只能", "还要", "几个", "半天", "知道", "现在", "结果", "根本", "特此", "一个", "两个", "三个", "两次", "三次",
}

// Segmenter turns a comment into the terms it mentions. The gse dictionary
// (~5 MB of words, ~1 s and ~100 MB to load) loads on first use, once per
// process: a process that never segments (the HTTP server when nobody reads
// topics with a backlog) never pays for it.
type Segmenter struct {
	once   sync.Once
	mu     sync.RWMutex // AddTerm and Cut: gse's dictionary is not safe to change while cutting
	seg    gse.Segmenter
	stop   map[string]bool
	extra  map[string]string // admin's words: "term" or "stop"
	loaded bool
}

// Default is the process's segmenter, shared by the drainer and the readers.
var Default = &Segmenter{}

func (s *Segmenter) load() {
	s.once.Do(func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.seg.SkipLog = true
		// Simplified Chinese only: the traditional dictionary would double the
		// memory for comments written in simplified characters.
		if err := s.seg.LoadDictEmbed("zh_s"); err != nil {
			panic("topics: loading the embedded gse dictionary: " + err.Error()) // embedded: cannot fail at run time
		}
		for _, t := range DomainTerms {
			s.addToken(t)
		}
		_ = s.seg.LoadStopEmbed()
		s.stop = map[string]bool{}
		for w := range s.seg.StopWordMap {
			s.stop[w] = true
		}
		for _, w := range stopWords {
			s.stop[w] = true
		}
		for w, kind := range s.extra {
			if kind == "term" {
				s.addToken(w)
			}
		}
		s.loaded = true
	})
}

// Preload loads the dictionary now rather than at the first comment. Tests whose
// requests must answer within a client timeout call it before they start: on a
// loaded 2-core machine the load takes 6–30 s, which the first reader would wait.
func (s *Segmenter) Preload() { s.load() }

// addToken makes gse prefer the word whole: a frequency above any compound's.
func (s *Segmenter) addToken(w string) {
	_ = s.seg.AddToken(w, 100000, "n")
}

// SetWords applies the admin's words (word -> "term" or "stop"): new terms are
// added to the dictionary, stop words are dropped from what Terms returns. A
// word an admin removed stays in gse's dictionary until the process restarts
// (gse cannot forget a word cleanly), but is no longer a stop word.
// Before the dictionary loads, the words wait for it.
func (s *Segmenter) SetWords(words map[string]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.loaded {
		for w, kind := range words {
			if kind == "term" && s.extra[w] != "term" {
				s.addToken(w)
			}
		}
	}
	s.extra = words
}

// Terms are the distinct terms of text worth counting, in order of first
// appearance: two or more characters, no digits (a typed phone or ID number is
// never a term), not a stop word.
func (s *Segmenter) Terms(text string) []string {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil
	}
	s.load()
	s.mu.RLock()
	words := s.seg.Cut(text, true)
	stop := s.stop
	extra := s.extra
	s.mu.RUnlock()
	seen := map[string]bool{}
	var out []string
	for _, w := range words {
		w = strings.ToLower(strings.TrimSpace(w))
		if seen[w] || !countable(w) || (stop[w] && extra[w] != "term") || extra[w] == "stop" {
			continue
		}
		seen[w] = true
		out = append(out, w)
	}
	return out
}

func countable(w string) bool {
	if utf8.RuneCountInString(w) < 2 || len(w) > 60 {
		return false
	}
	letters := 0
	for _, r := range w {
		switch {
		case unicode.IsDigit(r):
			return false
		case unicode.IsLetter(r):
			letters++
		}
	}
	return letters > 0
}

// SortedTerms is Terms sorted, for tests and stable output.
func (s *Segmenter) SortedTerms(text string) []string {
	t := s.Terms(text)
	sort.Strings(t)
	return t
}
