package web

import (
	"strings"
	"unicode"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// gbInitials are the first GB2312 codes of each pinyin initial: GB2312's
// level-1 characters (the 3,755 common ones, which department names are made
// of) are ordered by pinyin, so a character's code says its initial. Level-2
// characters (ordered by radical) and polyphones read another way are missed;
// the picker then finds the department by its name or code instead.
var gbInitials = []struct {
	from   int
	letter byte
}{
	{0xB0A1, 'A'}, {0xB0C5, 'B'}, {0xB2C1, 'C'}, {0xB4EE, 'D'}, {0xB6EA, 'E'}, {0xB7A2, 'F'}, {0xB8C1, 'G'},
	{0xB9FE, 'H'}, {0xBBF7, 'J'}, {0xBFA6, 'K'}, {0xC0AC, 'L'}, {0xC2E8, 'M'}, {0xC4C3, 'N'}, {0xC5B6, 'O'},
	{0xC5BE, 'P'}, {0xC6DA, 'Q'}, {0xC8BB, 'R'}, {0xC8F6, 'S'}, {0xCBFA, 'T'}, {0xCDDA, 'W'}, {0xCEF4, 'X'},
	{0xD1B9, 'Y'}, {0xD4D1, 'Z'},
}

const gbLevel1End = 0xD7F9 // the last level-1 character

// pinyinInitials are the pinyin initials of a department name's Chinese
// characters, upper case (南京市住房和城乡建设局 → NJSZFHCXJSJ); letters and
// digits are kept, anything else dropped.
func pinyinInitials(name string) string {
	enc := simplifiedchinese.GBK.NewEncoder()
	var b strings.Builder
	for _, r := range name {
		switch {
		case r < unicode.MaxASCII:
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				b.WriteRune(unicode.ToUpper(r))
			}
			continue
		case !unicode.Is(unicode.Han, r):
			continue
		}
		gb, err := enc.Bytes([]byte(string(r)))
		if err != nil || len(gb) != 2 {
			continue
		}
		code := int(gb[0])<<8 | int(gb[1])
		if code < gbInitials[0].from || code > gbLevel1End {
			continue
		}
		letter := gbInitials[0].letter
		for _, g := range gbInitials {
			if code >= g.from {
				letter = g.letter
			}
		}
		b.WriteByte(letter)
	}
	return b.String()
}
