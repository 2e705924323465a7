package wechat

import (
	"net/http"

	"github.com/silenceper/wechat/v2/officialaccount/server"
)

// CallbackServer returns the library's callback server for one request: it checks signatures,
// decrypts safe-mode bodies, parses the message and renders the reply into w.
func (a *Account) CallbackServer(r *http.Request, w http.ResponseWriter) *server.Server {
	return a.oa.GetServer(r, w)
}
