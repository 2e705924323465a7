package notify_test

import (
	"strings"
	"testing"

	"gridbot/models"
	"gridbot/notify"
)

// reporter is a confidential reporter whose identity no message may carry.
var reporter = models.Person{Name: "王秀英", Phone: "13800138000", OpenID: "oReporterConfidential01"}

// staffNotice is what the workflow writes for staff about a confidential case: no Contact.
func staffNotice(state models.State, action models.Action) models.Notice {
	return models.Notice{TrackingNo: "GB20260101-0001", CaseKind: models.KindTip, Matter: "占道经营",
		Place: "城关镇 解放路12号", Description: "早市摊贩占用人行道", State: state, Action: action,
		Note: "请尽快处理", Deadline: "2026-01-03 17:00", Shortcuts: []string{"1 签收", "退回 GB20260101-0001 原因"}}
}

func TestRenderEveryKindWithoutTheReporterIdentity(t *testing.T) {
	for _, kind := range notify.Kinds() {
		for _, state := range []models.State{models.StateReceived, models.StateDispatched, models.StateSigned,
			models.StateHandled, models.StateClosed, models.StateReturned, models.StateTransferred,
			models.StateRejected, models.StateExtensionRequested} {
			t.Run(kind+"/"+string(state), func(t *testing.T) {
				msg, err := notify.Render(kind, staffNotice(state, models.ActionApproveExtension))
				if err != nil {
					t.Fatal(err)
				}
				text := msg.Text()
				if msg.Title == "" || !strings.Contains(text, "GB20260101-0001") {
					t.Fatalf("message lacks a title or the tracking number:\n%s", text)
				}
				for _, secret := range []string{reporter.Name, reporter.Phone, reporter.OpenID, "oReporter"} {
					if strings.Contains(text, secret) {
						t.Fatalf("message shows the reporter's identity %q:\n%s", secret, text)
					}
				}
			})
		}
	}
}

func TestRenderTexts(t *testing.T) {
	tests := []struct {
		name string
		kind string
		n    models.Notice
		want []string
		not  []string
	}{
		{"received", models.NoticeReceived, models.Notice{TrackingNo: "T1", CaseKind: models.KindComplaint},
			[]string{"投诉已受理", "受理编号：T1", "查询 T1"}, nil},
		{"dispatched card", models.NoticeDispatched, staffNotice(models.StateDispatched, ""),
			[]string{"占道经营", "解放路12号", "2026-01-03 17:00", "早市摊贩", "「1 签收」"}, nil},
		{"closed asks for a rating", models.NoticeStatus, models.Notice{TrackingNo: "T2", State: models.StateClosed},
			[]string{"已办结", "评价 T2 分数"}, nil},
		{"handled awaits check", models.NoticeStatus, models.Notice{TrackingNo: "T3", State: models.StateHandled},
			[]string{"等待核查"}, []string{"办理结果"}},
		{"handled shows the result", models.NoticeStatus,
			models.Notice{TrackingNo: "T3", State: models.StateHandled, Result: "摊贩已清理"},
			[]string{"等待核查", "办理结果：摊贩已清理"}, nil},
		{"closed shows the result and asks for a rating", models.NoticeStatus,
			models.Notice{TrackingNo: "T2", State: models.StateClosed, Result: "摊贩已清理"},
			[]string{"已办结", "办理结果：摊贩已清理", "评价 T2 分数"}, nil},
		{"closed without a rating request", models.NoticeStatus,
			models.Notice{TrackingNo: "T2", State: models.StateClosed, Result: "摊贩已清理", NoRating: true},
			[]string{"已办结", "办理结果：摊贩已清理"}, []string{"评价"}},
		{"a result is shown only once handled", models.NoticeStatus,
			models.Notice{TrackingNo: "T6", State: models.StateSigned, Result: "摊贩已清理"},
			[]string{"正在处置"}, []string{"办理结果", "摊贩已清理"}},
		{"returned hides internal notes", models.NoticeStatus,
			models.Notice{TrackingNo: "T4", State: models.StateReturned, Note: "队伍人手不足"},
			[]string{"正在重新派遣"}, []string{"人手不足", "退回"}},
		{"rejected shows the reason", models.NoticeStatus,
			models.Notice{TrackingNo: "T5", State: models.StateRejected, Note: "不属于受理范围"},
			[]string{"不予受理", "不属于受理范围"}, nil},
		{"chase", models.NoticeChase, staffNotice(models.StateSigned, ""), []string{"催办"}, nil},
		{"escalation", models.NoticeEscalation, staffNotice(models.StateSigned, ""), []string{"督办", "超期"}, nil},
		{"extension refused", models.NoticeExtensionDecision, staffNotice(models.StateSigned, models.ActionRefuseExtension),
			[]string{"延期未批准"}, nil},
		{"verification", models.NoticeVerify, staffNotice(models.StateHandled, ""), []string{"核查"}, nil},
		{"reporter's urge", models.NoticeChase, staffNotice(models.StateSigned, models.ActionUrge),
			[]string{"群众催办", "报告人催促"}, []string{"八成"}},
		{"transfer request says what to reply", models.NoticeRequest, withShortcuts(staffNotice(models.StateTransferred,
			models.ActionTransfer), "同意移送 T6", "拒绝移送 T6 原因"),
			[]string{"移送申请", "「同意移送 T6」", "「拒绝移送 T6 原因」"}, nil},
		{"transfer accepted", models.NoticeRequest, staffNotice(models.StateDispatched, models.ActionAcceptTransfer),
			[]string{"移送已同意"}, nil},
		{"transfer refused", models.NoticeRequest, staffNotice(models.StateSigned, models.ActionRefuseTransfer),
			[]string{"移送未同意", "请尽快处理"}, nil},
		{"joint accepted", models.NoticeRequest, staffNotice(models.StateSigned, models.ActionAcceptJoint),
			[]string{"联合执法申请已同意"}, nil},
		{"joint refused", models.NoticeRequest, staffNotice(models.StateSigned, models.ActionRefuseJoint),
			[]string{"联合执法未同意"}, nil},
		{"the team's card shows the contact phone", models.NoticeDispatched, withContact(staffNotice(models.StateDispatched, ""), "13805951001"),
			[]string{"联系方式：13805951001"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg, err := notify.Render(tt.kind, tt.n)
			if err != nil {
				t.Fatal(err)
			}
			text := msg.Text()
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("text lacks %q:\n%s", w, text)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(text, w) {
					t.Errorf("text shows %q:\n%s", w, text)
				}
			}
		})
	}
}

func TestStaffOnlyKinds(t *testing.T) {
	for _, kind := range []string{models.NoticeChase, models.NoticeEscalation, models.NoticeDispatched} {
		if !notify.StaffOnly(kind) {
			t.Errorf("%s is not staff only", kind)
		}
	}
	if notify.StaffOnly(models.NoticeStatus) || notify.StaffOnly(models.NoticeReceived) {
		t.Error("reporters' notices are staff only")
	}
}

func TestMissingTemplates(t *testing.T) {
	cfg := notify.Config{Templates: map[string]string{models.NoticeStatus: "tpl-status", models.NoticeReceived: ""}}
	got := cfg.MissingTemplates([]string{models.NoticeStatus, models.NoticeReceived, models.NoticeChase})
	want := []string{models.NoticeChase, models.NoticeReceived}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("MissingTemplates = %v, want %v", got, want)
	}
}

func TestRenderedTextsAreChinese(t *testing.T) {
	states := []models.State{models.StateReceived, models.StateTriage, models.StateDispatched, models.StateSigned,
		models.StateHandling, models.StateHandled, models.StateClosed, models.StateReturned, models.StateTransferred,
		models.StateRejected, models.StateExtensionRequested, models.StateParked, models.StateReopened, models.StateMerged}
	actions := []models.Action{"", models.ActionTransfer, models.ActionRequestJoint, models.ActionRequestExtension,
		models.ActionApproveExtension, models.ActionRefuseExtension}
	for _, kind := range notify.Kinds() {
		for _, state := range states {
			for _, action := range actions {
				for _, rating := range []bool{false, true} {
					n := staffNotice(state, action)
					n.Result, n.NoRating = "摊贩已清理", rating
					msg, err := notify.Render(kind, n)
					if err != nil {
						t.Fatal(err)
					}
					if w := asciiWord(msg.Text(), n.TrackingNo); w != "" {
						t.Errorf("%s/%s/%s shows the ASCII word %q:\n%s", kind, state, action, w, msg.Text())
					}
				}
			}
		}
	}
}

// asciiWord returns the first run of two or more ASCII letters in text, the tracking number
// left out; "" for none.
func asciiWord(text, trackingNo string) string {
	text = strings.ReplaceAll(text, trackingNo, "")
	start := -1
	for i := 0; i <= len(text); i++ {
		letter := i < len(text) && (text[i]|0x20 >= 'a' && text[i]|0x20 <= 'z')
		switch {
		case letter && start < 0:
			start = i
		case !letter && start >= 0 && i-start >= 2:
			return text[start:i]
		case !letter:
			start = -1
		}
	}
	return ""
}

// withShortcuts returns a notice with other reply shortcuts.
func withShortcuts(n models.Notice, s ...string) models.Notice {
	n.Shortcuts = s
	return n
}

// withContact returns a notice with the reporter's contact phone, as the assigned team gets it.
func withContact(n models.Notice, phone string) models.Notice {
	n.Contact = phone
	return n
}
