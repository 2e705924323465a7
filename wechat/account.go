package wechat

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/silenceper/wechat/v2/cache"
	"github.com/silenceper/wechat/v2/credential"
	"github.com/silenceper/wechat/v2/officialaccount"
	offConfig "github.com/silenceper/wechat/v2/officialaccount/config"
	"github.com/silenceper/wechat/v2/officialaccount/material"
	"github.com/silenceper/wechat/v2/officialaccount/menu"
	"github.com/silenceper/wechat/v2/officialaccount/message"
)

// aesKeyLen is the length of an EncodingAESKey.
const aesKeyLen = 43

// ErrConfig reports an AccountConfig that cannot make a working client.
var ErrConfig = errors.New("invalid wechat account config")

// AccountConfig is what NewAccount needs to reach the Official Account.
type AccountConfig struct {
	AppID     string
	AppSecret string
	Token     string // the callback token
	AESKey    string // the 43-character EncodingAESKey of safe mode; empty in plaintext mode
	// Cache holds the access token; a TokenCache shares it between instances.
	Cache cache.Cache
	// HTTPClient makes gridbot's own calls (media downloads): pass the client InstallHTTPClient
	// returned, so that they go where the library's calls go.
	HTTPClient *http.Client
	// Log receives debug records of calls; nil discards them.
	Log *slog.Logger
	// Quota counts access-token fetches against the daily quota (with a TokenCache); nil: none.
	Quota *Quota
}

// Account is the Official Account client, built once at start-up and safe for concurrent use.
type Account struct {
	appID    string
	cache    cache.Cache
	http     *http.Client
	log      *slog.Logger
	tokens   credential.AccessTokenContextHandle
	customer *message.Manager
	template *message.Template
	material *material.Material
	menu     *menu.Menu
	oa       *officialaccount.OfficialAccount // for per-request callback servers
	keys     replyKeys                        // what passive replies are encrypted and signed with
}

// NewAccount builds the client and every part of the library it uses, once, since the library's
// lazy getters set fields without a lock. It fetches nothing.
//
// The access token is the stable token (/cgi-bin/stable_token): instances that miss the cache at
// the same moment get the same token instead of revoking each other's. The library never drops a
// cached token after 40001: see IsTokenInvalid and TokenCacheKey.
func NewAccount(cfg AccountConfig) (*Account, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	oa := officialaccount.NewOfficialAccount(&offConfig.Config{
		AppID:          cfg.AppID,
		AppSecret:      cfg.AppSecret,
		Token:          cfg.Token,
		EncodingAESKey: cfg.AESKey,
		Cache:          cfg.Cache,
		UseStableAK:    true,
	})
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if tc, shared := cfg.Cache.(TokenCache); shared {
		// Every instance shares one token, fetched by one of them under the cache's lock.
		oa.SetAccessTokenHandle(newSharedToken(cfg.AppID, cfg.AppSecret, tc, cfg.Quota, log))
	}
	tokens, ok := oa.GetContext().AccessTokenHandle.(credential.AccessTokenContextHandle)
	if !ok {
		return nil, fmt.Errorf("%w: the library's token handle takes no context", ErrConfig)
	}
	return &Account{
		appID:    cfg.AppID,
		cache:    cfg.Cache,
		http:     cfg.HTTPClient,
		log:      log,
		tokens:   tokens,
		customer: oa.GetCustomerMessageManager(),
		template: oa.GetTemplate(),
		material: oa.GetMaterial(),
		menu:     oa.GetMenu(),
		oa:       oa,
		keys:     replyKeys{Token: cfg.Token, AppID: cfg.AppID, AESKey: cfg.AESKey},
	}, nil
}

// validate checks the fields without which the library panics or every call fails.
func (cfg AccountConfig) validate() error {
	switch {
	case cfg.AppID == "" || cfg.AppSecret == "":
		return fmt.Errorf("%w: AppID and AppSecret are required", ErrConfig)
	case cfg.AESKey != "" && len(cfg.AESKey) != aesKeyLen:
		return fmt.Errorf("%w: AESKey must have %d characters", ErrConfig, aesKeyLen)
	case cfg.Cache == nil:
		return fmt.Errorf("%w: Cache is required", ErrConfig)
	case cfg.HTTPClient == nil:
		return fmt.Errorf("%w: HTTPClient is required (the one InstallHTTPClient returns)", ErrConfig)
	}
	return nil
}

// TokenCacheKey is the key under which the library caches the access token in the Cache: delete
// it to make the next call fetch a new token.
func (a *Account) TokenCacheKey() string {
	return fmt.Sprintf("%s_stable_access_token_%s", credential.CacheKeyOfficialAccountPrefix, a.appID)
}

// SendText sends a customer-service text message to openID, which reaches the user only within
// 48 hours of their last message (else an *APIError with code 45015).
func (a *Account) SendText(ctx context.Context, openID, text string) error {
	if openID == "" || text == "" {
		return errors.New("send text: empty openid or text")
	}
	msg := message.NewCustomerTextMessage(openID, text)
	return a.call(ctx, "send text", func() error { return a.customer.Send(msg) })
}

// call runs a library call for op. The library takes no context, so ctx is honoured where it can
// be: before the call, and while fetching the access token; the call itself is bounded by the HTTP
// client's timeout and is never abandoned half-way, lest a message be sent twice.
func (a *Account) call(ctx context.Context, op string, fn func() error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("wechat %s: %w", op, err)
	}
	if _, err := a.tokens.GetAccessTokenContext(ctx); err != nil {
		return LibraryError(op+": access token", err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("wechat %s: %w", op, err)
	}
	start := time.Now()
	err := LibraryError(op, fn())
	code, _ := ErrCode(err)
	a.log.DebugContext(ctx, "wechat call", "op", op, "duration_ms", time.Since(start).Milliseconds(),
		"ok", err == nil, "errcode", code)
	return err
}
