package notify

import (
	"context"
	"errors"
	"fmt"

	"github.com/silenceper/wechat/v2/cache"
	"github.com/silenceper/wechat/v2/credential"
	"github.com/silenceper/wechat/v2/officialaccount"
	offConfig "github.com/silenceper/wechat/v2/officialaccount/config"
	offMessage "github.com/silenceper/wechat/v2/officialaccount/message"
	"github.com/silenceper/wechat/v2/work"
	workConfig "github.com/silenceper/wechat/v2/work/config"
	workMessage "github.com/silenceper/wechat/v2/work/message"

	"gridbot/wechat"
)

// Template is a template message for one openid.
type Template struct {
	ID          string            // the template id configured for the notice's kind
	ClientMsgID string            // the intent's id: WeChat shows a retried send once
	URL         string            // where a tap leads; may be empty
	Data        map[string]string // first, keyword1…, remark
}

// TextCard is a WeCom application text card.
type TextCard struct {
	Title       string
	Description string
	URL         string
}

// OfficialSender sends through the Official Account. Errors are *wechat.APIError where WeChat
// answered one (see wechat.IsTokenInvalid, IsRetryable, IsUserUnreachable).
type OfficialSender interface {
	// SendText sends a customer-service text; 45015 outside the 48-hour window.
	SendText(ctx context.Context, openID, text string) error
	// SendTemplate sends a template message.
	SendTemplate(ctx context.Context, openID string, t Template) error
	// DropToken forgets the shared access token so that the next call fetches a new one.
	DropToken(ctx context.Context) error
}

// WeComSender sends WeCom application messages to staff.
type WeComSender interface {
	// SendTextCard sends a text card to a WeCom userid.
	SendTextCard(ctx context.Context, userID string, c TextCard) error
	// DropToken forgets the shared access token so that the next call fetches a new one.
	DropToken(ctx context.Context) error
}

// Official is the OfficialSender over wechat.Account (customer-service texts) and the library's
// template API, which share the access token cached under the account's TokenCacheKey.
type Official struct {
	account  *wechat.Account
	template *offMessage.Template
	cache    cache.Cache
}

// NewOfficial builds the Official Account sender from the account and the config it was built
// with (the same AppID, secret and shared cache). Build it once at start-up.
func NewOfficial(account *wechat.Account, cfg wechat.AccountConfig) (*Official, error) {
	if account == nil || cfg.Cache == nil || cfg.AppID == "" || cfg.AppSecret == "" {
		return nil, errors.New("notify: official sender needs the account, its AppID, secret and cache")
	}
	oa := officialaccount.NewOfficialAccount(&offConfig.Config{
		AppID: cfg.AppID, AppSecret: cfg.AppSecret, Token: cfg.Token, EncodingAESKey: cfg.AESKey,
		Cache: cfg.Cache, UseStableAK: true,
	})
	oa.SetAccessTokenHandle(account.TokenHandle()) // one token and one refresh for both clients
	return &Official{account: account, template: oa.GetTemplate(), cache: cfg.Cache}, nil
}

// SendText sends a customer-service text.
func (o *Official) SendText(ctx context.Context, openID, text string) error {
	return o.account.SendText(ctx, openID, text)
}

// SendTemplate sends a template message with the intent's client_msg_id. The library takes no
// context: ctx is checked before the call, which the HTTP client's timeout bounds.
func (o *Official) SendTemplate(ctx context.Context, openID string, t Template) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("wechat send template: %w", err)
	}
	data := make(map[string]*offMessage.TemplateDataItem, len(t.Data))
	for k, v := range t.Data {
		data[k] = &offMessage.TemplateDataItem{Value: v}
	}
	_, err := o.template.Send(&offMessage.TemplateMessage{ToUser: openID, TemplateID: t.ID, URL: t.URL,
		Data: data, ClientMsgID: t.ClientMsgID})
	return wechat.LibraryError("send template", err)
}

// DropToken deletes the shared access token.
func (o *Official) DropToken(context.Context) error {
	return o.cache.Delete(o.account.TokenCacheKey())
}

// WeComConfig is what the WeCom sender needs: the self-built application's credentials and the
// cache shared with every instance (a wechat.RedisCache).
type WeComConfig struct {
	CorpID, CorpSecret, AgentID string
	Cache                       cache.Cache
}

// WeCom is the WeComSender over the library's work message API.
type WeCom struct {
	client   *workMessage.Client
	cache    cache.Cache
	tokenKey string
	agentID  string
}

// NewWeCom builds the WeCom sender; build it once at start-up.
func NewWeCom(cfg WeComConfig) (*WeCom, error) {
	if cfg.CorpID == "" || cfg.CorpSecret == "" || cfg.AgentID == "" || cfg.Cache == nil {
		return nil, errors.New("notify: wecom sender needs CorpID, CorpSecret, AgentID and a cache")
	}
	wk := work.NewWork(&workConfig.Config{CorpID: cfg.CorpID, CorpSecret: cfg.CorpSecret, AgentID: cfg.AgentID, Cache: cfg.Cache})
	return &WeCom{
		client: wk.GetMessage(), cache: cfg.Cache, agentID: cfg.AgentID,
		tokenKey: fmt.Sprintf("%s_access_token_%s_%s", credential.CacheKeyWorkPrefix, cfg.CorpID, cfg.AgentID),
	}, nil
}

// textCardRequest is WeCom's message/send body for a text card.
type textCardRequest struct {
	*workMessage.SendRequestCommon
	TextCard textCardField `json:"textcard"`
}

// textCardField is the textcard object of the body.
type textCardField struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	URL         string `json:"url"`
	BtnTxt      string `json:"btntxt,omitempty"`
}

// SendTextCard sends a text card; the library takes no context, so ctx is checked before.
func (w *WeCom) SendTextCard(ctx context.Context, userID string, c TextCard) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("wecom send textcard: %w", err)
	}
	req := textCardRequest{
		SendRequestCommon: &workMessage.SendRequestCommon{ToUser: userID, MsgType: "textcard", AgentID: w.agentID},
		TextCard:          textCardField{Title: c.Title, Description: c.Description, URL: c.URL, BtnTxt: "详情"},
	}
	_, err := w.client.Send("SendTextCard", req)
	return wechat.LibraryError("wecom send textcard", err)
}

// DropToken deletes the shared WeCom access token.
func (w *WeCom) DropToken(context.Context) error {
	return w.cache.Delete(w.tokenKey)
}

// SendText sends a plain text message (a late reply to a WeCom user's message).
func (w *WeCom) SendText(ctx context.Context, userID, text string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("wecom send text: %w", err)
	}
	req := workMessage.SendTextRequest{
		SendRequestCommon: &workMessage.SendRequestCommon{ToUser: userID, AgentID: w.agentID},
		Text:              workMessage.TextField{Content: text},
	}
	_, err := w.client.SendText(req)
	return wechat.LibraryError("wecom send text", err)
}
