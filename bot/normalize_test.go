package bot

import "testing"

func TestClean(t *testing.T) {
	tests := []struct{ in, want string }{
		{"进度 26120300250。", "进度 26120300250"},
		{"  进度　２６１２０３００２５０！！ ", "进度 26120300250"},
		{"签收 ２６１２０３００２５０", "签收 26120300250"},
		{"「确认」", "确认"},
		{"“跳过”", "跳过"},
		{"好了👌", "好了"},
		{"好了😊😊", "好了"},
		{"确认👍🏻", "确认"},
		{"ＯＫ", "OK"},
		{"绑定 ４ＨＷＨＢ８ＺＳ", "绑定 4HWHB8ZS"},
		{"举报：有人偷倒垃圾", "举报：有人偷倒垃圾"},
		{"办结 ２６１２０３００２５０ 已清理，恢复通行。", "办结 26120300250 已清理，恢复通行"},
		{"怎么还没人来处理？？", "怎么还没人来处理"},
		{"...1...", "1"},
		{"办结   26120300064    已清理", "办结 26120300064 已清理"},
		{"\u200b确认\ufeff", "确认"},
		{"", ""},
		{"。。。", ""},
	}
	for _, tt := range tests {
		if got := clean(tt.in); got != tt.want {
			t.Errorf("clean(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestChoice(t *testing.T) {
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"1", 1, true}, {"１", 1, true}, {"一", 1, true}, {"第一个", 1, true}, {"选二", 2, true},
		{"1号", 1, true}, {"2号吧", 2, true}, {"第3个", 3, true}, {"选择 2", 2, true}, {"②", 2, true},
		{"两", 2, true}, {"三。", 3, true}, {" 4 ", 4, true}, {"十", 10, true}, {"十二", 12, true},
		{"就选2吧", 2, true}, {"「1」", 1, true}, {"1️⃣", 1, true},
		{"0", 0, false}, {"", 0, false}, {"确认", 0, false}, {"第", 0, false}, {"一二", 0, false},
		{"100", 0, false}, {"12a", 0, false}, {"选", 0, false}, {"好的", 0, false},
	}
	for _, tt := range tests {
		got, ok := choice(tt.in)
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("choice(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestSmallNumber(t *testing.T) {
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"3", 3, true}, {"三", 3, true}, {"十五", 15, true}, {"二十", 20, true}, {"二十三", 23, true},
		{"一百零五", 105, true}, {"三百二十", 320, true}, {"两", 2, true}, {"零", 0, true},
		{"天", 0, false}, {"1000", 0, false}, {"三天", 0, false},
	}
	for _, tt := range tests {
		got, ok := smallNumber(tt.in)
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("smallNumber(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestLeadingNumber(t *testing.T) {
	tests := []struct {
		in, digits, rest string
		ok               bool
	}{
		{"26120300064 已清理", "26120300064", "已清理", true},
		{"2612 0300 064 已清理", "26120300064", "已清理", true},
		{"2612-0300-064", "26120300064", "", true},
		{"26120300064 3天 原因", "26120300064", "3天 原因", true},
		{"26120300064 26120300065", "26120300064", "26120300065", true},
		{"2612030006", "2612030006", "", true},
		{"261203000640 结果", "261203000640", "结果", true},
		{"3天 人手不够", "3", "天 人手不够", true},
		{"3 天", "3", "天", true},
		{"2612.0300.064。", "26120300064", "。", true},
		{"26120300064，26120300065", "26120300064", "26120300065", true},
		{"已清理", "", "", false},
		{"", "", "", false},
	}
	for _, tt := range tests {
		got, ok := leadingNumber(tt.in)
		if ok != tt.ok || got.Digits != tt.digits || (ok && got.Rest != tt.rest) {
			t.Errorf("leadingNumber(%q) = %+v, %v; want %q %q %v", tt.in, got, ok, tt.digits, tt.rest, tt.ok)
		}
	}
}
