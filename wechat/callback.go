package wechat

import (
	"net/http"

	"github.com/silenceper/wechat/v2/officialaccount/server"
)

// CallbackServer returns the library's callback server for one request whose signature the
// caller has verified already: it checks the msg_signature, decrypts safe-mode bodies, parses
// the message and renders the reply into w.
func (a *Account) CallbackServer(r *http.Request, w http.ResponseWriter) *server.Server {
	srv := a.oa.GetServer(r, w)
	srv.SkipValidate(true) // handlers.WeChatCallback refuses a bad signature with 403 first
	return srv
}
