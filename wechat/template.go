package wechat

import (
	"context"

	"github.com/silenceper/wechat/v2/officialaccount/message"
)

// Template is a template message for one openid.
type Template struct {
	ID          string            // the template id configured for the notice's kind
	ClientMsgID string            // the intent's id: WeChat shows a retried send once
	URL         string            // where a tap leads; may be empty
	Data        map[string]string // first, keyword1…, remark
}

// SendTemplate sends a template message to openID with its client_msg_id, over the account's
// access token.
func (a *Account) SendTemplate(ctx context.Context, openID string, t Template) error {
	data := make(map[string]*message.TemplateDataItem, len(t.Data))
	for k, v := range t.Data {
		data[k] = &message.TemplateDataItem{Value: v}
	}
	msg := &message.TemplateMessage{ToUser: openID, TemplateID: t.ID, URL: t.URL, Data: data, ClientMsgID: t.ClientMsgID}
	return a.call(ctx, "send template", func() error {
		_, err := a.template.Send(msg)
		return err
	})
}

// DropToken deletes the shared access token so that the next call fetches a new one.
func (a *Account) DropToken(context.Context) error {
	return a.cache.Delete(a.TokenCacheKey())
}
