package models

import "testing"

func TestNoticeEqualSeesEveryField(t *testing.T) {
	base := Notice{TrackingNo: "26112700136", CaseKind: KindComplaint, Matter: "违法占道经营", Place: "安海镇",
		Description: "路口占道", State: StateDispatched, Action: ActionDispatch, Note: "下放", Deadline: "2026-12-02 17:30",
		Contact: "", Shortcuts: []string{"1 签收"}}
	changes := map[string]func(n *Notice){
		"tracking number": func(n *Notice) { n.TrackingNo = "26112700024" },
		"kind":            func(n *Notice) { n.CaseKind = KindTip },
		"matter":          func(n *Notice) { n.Matter = "噪音扰民" },
		"place":           func(n *Notice) { n.Place = "东石镇" },
		"description":     func(n *Notice) { n.Description = "另一件事" },
		"state":           func(n *Notice) { n.State = StateSigned },
		"action":          func(n *Notice) { n.Action = ActionSign },
		"note":            func(n *Notice) { n.Note = "退回" },
		"deadline":        func(n *Notice) { n.Deadline = "2026-12-03 17:30" },
		"contact":         func(n *Notice) { n.Contact = "13800000000" },
		"shortcuts":       func(n *Notice) { n.Shortcuts = []string{"1 签收", "退回"} },
		"result":          func(n *Notice) { n.Result = "已清理" },
		"no rating":       func(n *Notice) { n.NoRating = true },
	}
	same := base
	same.Shortcuts = []string{"1 签收"}
	if !base.Equal(same) {
		t.Fatal("a notice differs from a copy of itself")
	}
	for name, change := range changes {
		n := base
		n.Shortcuts = append([]string(nil), base.Shortcuts...)
		change(&n)
		if base.Equal(n) {
			t.Errorf("a notice with another %s is equal", name)
		}
	}
}
