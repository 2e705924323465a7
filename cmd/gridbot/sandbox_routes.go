package main

import (
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"gridbot/wechatsim"
)

// mountSandbox mounts the in-process WeChat simulator (sandbox mode only): its API under
// apiPath, what it delivered per openid at GET /sandbox/messages?openid=, media upload for
// remote simulated phones at POST /sandbox/media, and it notes each callback's sender so that
// customer-service replies are within WeChat's 48-hour window.
func mountSandbox(r *gin.Engine, apiPath string, api *wechatsim.API) {
	strip := http.StripPrefix(apiPath, api)
	r.Any(apiPath+"/*path", gin.WrapH(strip))
	r.GET("/sandbox/messages", func(c *gin.Context) {
		openid := c.Query("openid")
		out := []gin.H{}
		for _, m := range api.Sent() {
			if openid == "" || m.To == openid {
				out = append(out, gin.H{"kind": m.Kind, "to": m.To, "msg_type": m.MsgType, "template_id": m.TemplateID,
					"at": m.At.Format(time.RFC3339), "body": string(m.Body)})
			}
		}
		c.JSON(http.StatusOK, out)
	})
	r.POST("/sandbox/media", func(c *gin.Context) {
		data, err := io.ReadAll(c.Request.Body)
		if err != nil || len(data) == 0 {
			c.JSON(http.StatusBadRequest, gin.H{"error": "send the file as the request body"})
			return
		}
		kind := c.DefaultQuery("type", "image")
		c.JSON(http.StatusOK, gin.H{"media_id": api.AddMedia(kind, data, c.ContentType())})
	})
	r.Use(func(c *gin.Context) {
		if strings.HasPrefix(c.Request.URL.Path, "/wechat/callback") && c.Query("openid") != "" {
			api.SetLastInbound(c.Query("openid"), time.Now())
		}
		c.Next()
	})
}
