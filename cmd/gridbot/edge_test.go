package main

import (
	"context"
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"gridbot/bot"
	"gridbot/wechatsim"
)

// TestBadMessagesAreRefusedAlone sends, through the running app in plaintext and safe mode, each
// message the edge refuses at the same moment as 20 other people's messages: the bad one is
// answered with the location notice or 400 and stores nothing; each of the 20 is stored and
// answered by the bot.
func TestBadMessagesAreRefusedAlone(t *testing.T) {
	backends(t, func(t *testing.T, getenv func(string) string) {
		app, base := startApp(t, getenv)
		loc := func(lat, lng float64) wechatsim.Inbound {
			return wechatsim.Inbound{MsgType: "location", LocationX: lat, LocationY: lng, Scale: 15, Label: "晋江市安海镇"}
		}
		tests := []struct {
			name   string
			openid string
			in     wechatsim.Inbound
			reply  string // the answer; "" for a 400
		}{
			{"NaN latitude", "oEdge_nan", loc(math.NaN(), 118.55), "位置信息无效，请重新发送定位或输入地址"},
			{"+Inf longitude", "oEdge_inf", loc(24.69, math.Inf(1)), "位置信息无效，请重新发送定位或输入地址"},
			{"latitude 91", "oEdge_91", loc(91, 118.55), "位置信息无效，请重新发送定位或输入地址"},
			{"MediaId of 201 characters", "oEdge_media", wechatsim.Inbound{MsgType: "image",
				PicURL: "http://mmbiz.qpic.cn/x", MediaID: strings.Repeat("M", 201)}, ""},
			{"FromUserName of 65 characters", "o" + strings.Repeat("E", 64), wechatsim.Inbound{MsgType: "text", Content: "投诉"}, ""},
			{"Label of 501 characters", "oEdge_label", wechatsim.Inbound{MsgType: "location", LocationX: 24.69,
				LocationY: 118.55, Label: strings.Repeat("镇", 501)}, ""},
		}
		for _, safe := range []bool{false, true} {
			for ti, tt := range tests {
				t.Run(tt.name+" safe="+strconv.FormatBool(safe), func(t *testing.T) {
					inboxBefore, _ := counts(t, app.store)
					var wg sync.WaitGroup
					var badErr error
					var bad wechatsim.Reply
					replies, errs := make([]string, 20), make([]error, 20)
					wg.Go(func() { bad, badErr = sandboxPhone(app, base, tt.openid, safe).Send(context.Background(), tt.in) })
					for i := range replies {
						wg.Go(func() {
							openid := "oEdge_neighbour_" + strconv.FormatBool(safe) + "_" + strconv.Itoa(ti) + "_" + strconv.Itoa(i)
							r, err := sandboxPhone(app, base, openid, safe).SendText(context.Background(), "帮助")
							replies[i], errs[i] = r.Content, err
						})
					}
					wg.Wait()
					for i := range replies {
						if errs[i] != nil || !strings.Contains(replies[i], "投诉") || replies[i] == bot.BusyText() {
							t.Errorf("neighbour %d got %q, %v", i, replies[i], errs[i])
						}
					}
					if tt.reply != "" {
						if badErr != nil || bad.Content != tt.reply {
							t.Errorf("the bad message was answered %q, %v", bad.Content, badErr)
						}
					} else {
						var de *wechatsim.DeliveryError
						if !errors.As(badErr, &de) || de.Status != http.StatusBadRequest {
							t.Errorf("the bad message was answered %v, want 400", badErr)
						}
					}
					if after, _ := counts(t, app.store); after != inboxBefore+20 {
						t.Errorf("the inbox grew by %d, want the 20 neighbours' messages only", after-inboxBefore)
					}
				})
			}
		}
	})
}
