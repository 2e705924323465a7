package bench

import (
	"testing"

	"gridbot/config"
	"gridbot/wechatsim"
)

func TestNoticeTallyMatchesOutboxAndDeliveries(t *testing.T) {
	outbox := []outboxRow{
		{state: "sent", trackingNo: "26120400001", openID: "oCitizen1", person: 1},
		{state: "sent", trackingNo: "26120400001", openID: "oWu", wecomID: "WuQingQuan", person: 2},
		{state: "sent", trackingNo: "26120400001", openID: "oLin", person: 3},
	}
	custom := wechatsim.SentMessage{Kind: wechatsim.KindCustom, To: "oCitizen1",
		Body: []byte(`{"touser":"oCitizen1","msgtype":"text","text":{"content":"您反映的问题已派遣处理，受理编号：26120400001"}}`)}
	card := wechatsim.SentMessage{Kind: wechatsim.KindWork, To: "WuQingQuan",
		Body: []byte(`{"touser":"WuQingQuan","msgtype":"textcard","agentid":1000002,"textcard":{"title":"【新派遣】请及时签收","description":"受理编号：26120400001\n联系电话：13800138000"}}`)}
	tmpl := wechatsim.SentMessage{Kind: wechatsim.KindTemplate, To: "oLin", ClientMsgID: "intent-3",
		Body: []byte(`{"touser":"oLin","template_id":"T","client_msg_id":"intent-3","data":{"keyword1":{"value":"26120400001"}}}`)}
	stray := wechatsim.SentMessage{Kind: wechatsim.KindCustom, To: "oCitizen1",
		Body: []byte(`{"touser":"oCitizen1","msgtype":"text","text":{"content":"联系电话：13800138000"}}`)}
	tests := []struct {
		name                               string
		sent                               []wechatsim.SentMessage
		once, repeated, missing, unmatched int
	}{
		{"each once", []wechatsim.SentMessage{custom, card, tmpl}, 3, 0, 0, 0},
		{"a card twice", []wechatsim.SentMessage{custom, card, card, tmpl}, 2, 1, 0, 0},
		{"a template lost", []wechatsim.SentMessage{custom, card}, 2, 0, 1, 0},
		{"a message of no intent", []wechatsim.SentMessage{custom, card, tmpl, stray}, 3, 0, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tally := NoticeTally{Drained: true}
			tally.match(outbox, tt.sent)
			if tally.Once != tt.once || tally.Repeated != tt.repeated || tally.Missing != tt.missing ||
				tally.Unmatched != tt.unmatched || tally.Intents != 3 || tally.Delivered != len(tt.sent) {
				t.Fatalf("tally %+v", tally)
			}
			if ok := tt.once == 3 && tt.unmatched == 0 && tt.repeated == 0; tally.OK() != ok {
				t.Fatalf("OK() = %v, want %v", tally.OK(), ok)
			}
		})
	}
}

func TestFakeWeChatEnvNamesEveryKind(t *testing.T) {
	f := StartFakeWeChat()
	defer f.Close()
	env := f.Env()
	for _, k := range []string{"GRIDBOT_WECHAT_APPID", "GRIDBOT_WECHAT_SECRET", "GRIDBOT_WECHAT_TOKEN",
		"GRIDBOT_WECHAT_AES_KEY", "GRIDBOT_WECHAT_API_BASE", "GRIDBOT_WECOM_CORPID", "GRIDBOT_WECOM_AGENTID",
		"GRIDBOT_WECOM_SECRET", "GRIDBOT_WECOM_TOKEN", "GRIDBOT_WECOM_AES_KEY", "GRIDBOT_WECOM_API_BASE"} {
		if env[k] == "" {
			t.Errorf("%s is empty", k)
		}
	}
	if len(f.Creds.AESKey) != 43 || len(f.Creds.WeComAES) != 43 {
		t.Errorf("EncodingAESKeys of %d and %d characters", len(f.Creds.AESKey), len(f.Creds.WeComAES))
	}
	if n := len(f.Creds.Templates); n == 0 || len(parsePairs(env["GRIDBOT_WECHAT_TEMPLATES"])) != n {
		t.Errorf("templates %q for %d kinds", env["GRIDBOT_WECHAT_TEMPLATES"], n)
	}
}

// parsePairs reads kind=id pairs the way gridbot does.
func parsePairs(s string) map[string]string {
	m, err := config.ParseTemplates(s)
	if err != nil {
		return nil
	}
	return m
}
