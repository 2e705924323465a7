package wechat

import (
	"context"
	"errors"
	"fmt"

	"github.com/silenceper/wechat/v2/cache"
	"github.com/silenceper/wechat/v2/credential"
	"github.com/silenceper/wechat/v2/work"
	workConfig "github.com/silenceper/wechat/v2/work/config"
	workMessage "github.com/silenceper/wechat/v2/work/message"
)

// WeComConfig is what the WeCom sender needs: the self-built application's credentials and the
// cache shared with every instance (a TokenCache).
type WeComConfig struct {
	CorpID, CorpSecret, AgentID string
	Cache                       cache.Cache
}

// TextCard is a WeCom application text card.
type TextCard struct {
	Title       string
	Description string
	URL         string
}

// WeCom sends the self-built application's messages to staff over the library's work message API.
type WeCom struct {
	client   *workMessage.Client
	cache    cache.Cache
	tokenKey string
	agentID  string
}

// NewWeCom builds the WeCom sender; build it once at start-up.
func NewWeCom(cfg WeComConfig) (*WeCom, error) {
	if cfg.CorpID == "" || cfg.CorpSecret == "" || cfg.AgentID == "" || cfg.Cache == nil {
		return nil, errors.New("wechat: wecom sender needs CorpID, CorpSecret, AgentID and a cache")
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

// SendTextCard sends a text card to a WeCom userid; the library takes no context, so ctx is
// checked before.
func (w *WeCom) SendTextCard(ctx context.Context, userID string, c TextCard) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("wecom send textcard: %w", err)
	}
	req := textCardRequest{
		SendRequestCommon: &workMessage.SendRequestCommon{ToUser: userID, MsgType: "textcard", AgentID: w.agentID},
		TextCard:          textCardField{Title: c.Title, Description: c.Description, URL: c.URL, BtnTxt: msgCardButton},
	}
	_, err := w.client.Send("SendTextCard", req)
	return LibraryError("wecom send textcard", err)
}

// DropToken deletes the shared WeCom access token so that the next call fetches a new one.
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
	return LibraryError("wecom send text", err)
}
