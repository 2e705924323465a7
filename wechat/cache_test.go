package wechat_test

import (
	"github.com/silenceper/wechat/v2/cache"

	"gridbot/shared"
	"gridbot/wechat"
)

// The shared state in Redis provides what wechat needs: the token cache the library takes, with
// its lock, and the quota counts.
var (
	_ cache.ContextCache = (*shared.TokenCache)(nil)
	_ wechat.TokenCache  = (*shared.TokenCache)(nil)
	_ wechat.Counter     = (*shared.QuotaCounter)(nil)
)
