package wechat

import (
	"encoding/xml"
	"testing"

	"github.com/silenceper/wechat/v2/officialaccount/message"
	"github.com/silenceper/wechat/v2/util"
)

func TestPassiveTextIsWhatTheLibraryWrites(t *testing.T) {
	keys := replyKeys{Token: "gridbot-sandbox-token", AppID: "wx0000000000sandbox",
		AESKey: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"}
	contents := []string{
		"您的投诉已受理，受理编号：26112726649。",
		"摘要：\n1. 地点：安海镇 <海东社区> & \"路口\"\n2. 事项：违法占道经营",
		"CDATA ends ]]> here, twice ]]>]]> and at the end ]]>",
		"emoji 😀, U+2028 \u2028, tab\t",
		"",
	}
	for _, content := range contents {
		t.Run(content, func(t *testing.T) {
			// The library renders a text reply as xml.Marshal of message.Text (Server.buildResponse).
			want := message.NewText(content)
			want.SetToUserName("oSim_citizen_1")
			want.SetFromUserName("gh_sandbox")
			want.SetMsgType(message.MsgTypeText)
			want.SetCreateTime(1795778098)
			wantXML, err := xml.Marshal(want)
			if err != nil {
				t.Fatal(err)
			}
			plain, err := passiveText(keys, false, "oSim_citizen_1", "gh_sandbox", 1795778098, content, "1795778098", "n1")
			if err != nil || string(plain) != string(wantXML) {
				t.Fatalf("plain reply\n%s, %v; the library writes\n%s", plain, err, wantXML)
			}
			safe, err := passiveText(keys, true, "oSim_citizen_1", "gh_sandbox", 1795778098, content, "1795778098", "n<&>1")
			if err != nil {
				t.Fatal(err)
			}
			var env message.ResponseEncryptedXMLMsg
			if err := xml.Unmarshal(safe, &env); err != nil {
				t.Fatalf("envelope %s: %v", safe, err)
			}
			if env.Timestamp != 1795778098 || env.Nonce != "n<&>1" ||
				env.MsgSignature != util.Signature(keys.Token, "1795778098", "n<&>1", env.EncryptedMsg) {
				t.Fatalf("envelope %+v", env)
			}
			_, inner, err := util.DecryptMsg(keys.AppID, env.EncryptedMsg, keys.AESKey)
			if err != nil || string(inner) != string(wantXML) {
				t.Fatalf("decrypted %s, %v; want %s", inner, err, wantXML)
			}
		})
	}
}
