package notify

import (
	"context"
	"fmt"
	"time"

	"gridbot/models"
	"gridbot/wechat"
)

// LateSender delivers replies that missed their callback: a customer-service message on the
// Official Account (counted in the person's window, which the message answered renewed), an
// application message on WeCom.
type LateSender struct {
	account *wechat.Account
	quota   *wechat.Quota
	wecom   *wechat.WeCom // nil without WeCom
}

// NewLateSender builds the late replies over the account, its quota and WeCom (nil when WeCom
// is not configured).
func NewLateSender(account *wechat.Account, quota *wechat.Quota, wecom *wechat.WeCom) *LateSender {
	return &LateSender{account: account, quota: quota, wecom: wecom}
}

// SendText sends a text on the channel the message came from.
func (s *LateSender) SendText(ctx context.Context, ch models.Channel, to, text string) error {
	if ch == models.ChannelWeCom {
		if s.wecom == nil {
			return fmt.Errorf("late reply on WeCom: WeCom is not configured")
		}
		return s.wecom.SendText(ctx, to, text)
	}
	verdict, err := s.quota.TakeCustomer(ctx, to, time.Now())
	if err != nil {
		return err
	}
	if verdict == wechat.DailySpent {
		return fmt.Errorf("late reply: today's customer-service quota is used up")
	}
	return s.account.SendText(ctx, to, text)
}
