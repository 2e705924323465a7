package notify

import (
	"context"

	"gridbot/wechat"
)

// OfficialSender sends through the Official Account: *wechat.Account. Errors are
// *wechat.APIError where WeChat answered one (see wechat.IsTokenInvalid, IsRetryable,
// IsUserUnreachable).
type OfficialSender interface {
	// SendText sends a customer-service text; 45015 outside the 48-hour window.
	SendText(ctx context.Context, openID, text string) error
	// SendTemplate sends a template message.
	SendTemplate(ctx context.Context, openID string, t wechat.Template) error
	// DropToken forgets the shared access token so that the next call fetches a new one.
	DropToken(ctx context.Context) error
}

// WeComSender sends WeCom application messages to staff: *wechat.WeCom.
type WeComSender interface {
	// SendTextCard sends a text card to a WeCom userid.
	SendTextCard(ctx context.Context, userID string, c wechat.TextCard) error
	// DropToken forgets the shared access token so that the next call fetches a new one.
	DropToken(ctx context.Context) error
}
