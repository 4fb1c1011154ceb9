package web

import "testing"

func TestPinyinInitials(t *testing.T) {
	for name, want := range map[string]string{
		"南京市住房和城乡建设局":   "NJSZFHCXJSJ",
		"南京市市场监督管理局":    "NJSSCJDGLJ",
		"南京市公安局":        "NJSGAJ",
		"南京市人力资源和社会保障局": "NJSRLZYHSHBZJ",
		"南京市卫生健康委员会":    "NJSWSJKWYH",
		"12345 热线":      "12345RX",
	} {
		if got := pinyinInitials(name); got != want {
			t.Errorf("pinyinInitials(%q) = %q, want %q", name, got, want)
		}
	}
}
