// Package baseline is the benchmark's yardstick: a minimal WeChat callback on the same library
// gridbot uses (silenceper/wechat/v2 officialaccount server) that only verifies the signature,
// decrypts the message and echoes its text back, encrypted. What gridbot does beyond it
// (storage, conversations, cases) is the cost the benchmark's ratio shows.
package baseline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/silenceper/wechat/v2/officialaccount"
	offConfig "github.com/silenceper/wechat/v2/officialaccount/config"
	"github.com/silenceper/wechat/v2/officialaccount/message"
	"github.com/sirupsen/logrus"
)

// Config is the account whose callbacks the baseline answers.
type Config struct {
	AppID  string
	Token  string
	AESKey string // the 43-character EncodingAESKey
}

// Handler returns the callback: GET verifies the URL, POST echoes the message.
func Handler(cfg Config) http.Handler {
	oa := officialaccount.NewOfficialAccount(&offConfig.Config{AppID: cfg.AppID, AppSecret: "unused",
		Token: cfg.Token, EncodingAESKey: cfg.AESKey, Cache: &tokenCache{}})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		srv := oa.GetServer(r, w)
		srv.SetMessageHandler(echo)
		if err := serve(srv.Serve); err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		if err := serve(srv.Send); err != nil {
			http.Error(w, "reply failed", http.StatusInternalServerError)
		}
	})
}

// echo answers a message with its text, or a location with its label, or else its type.
func echo(m *message.MixMessage) *message.Reply {
	text := m.Content
	switch {
	case m.MsgType == message.MsgTypeLocation:
		text = m.Label
	case text == "":
		text = string(m.MsgType)
	}
	return &message.Reply{MsgType: message.MsgTypeText, MsgData: message.NewText(text)}
}

// serve runs one step of the library's server, turning its panics into errors.
func serve(step func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("wechat server panic: %v", r)
		}
	}()
	return step()
}

// Run serves the baseline on addr until ctx is done. The library's logrus output is
// discarded, as gridbot does (wechat.QuietLibraryLog), so that neither side pays for logging.
func Run(ctx context.Context, addr string, cfg Config) error {
	logrus.SetLevel(logrus.WarnLevel)
	logrus.SetOutput(io.Discard)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("baseline: listen: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/wechat/callback", Handler(cfg))
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 15 * time.Second, IdleTimeout: 60 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("baseline: serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("baseline: shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("baseline: serve: %w", err)
	}
	return nil
}

// tokenCache is the access-token cache the library requires, safe for concurrent use; the
// baseline never calls the API, so it stays empty.
type tokenCache struct {
	mu sync.Mutex
	m  map[string]any
}

// Get returns a stored value or nil.
func (c *tokenCache) Get(key string) any {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[key]
}

// Set stores a value; timeouts are ignored.
func (c *tokenCache) Set(key string, val any, _ time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]any{}
	}
	c.m[key] = val
	return nil
}

// IsExist reports whether a key is stored.
func (c *tokenCache) IsExist(key string) bool { return c.Get(key) != nil }

// Delete drops a key.
func (c *tokenCache) Delete(key string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, key)
	return nil
}
