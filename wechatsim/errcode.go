package wechatsim

// The WeChat global return codes (全局返回码) that the simulator answers with, and their errmsg texts.
const (
	codeOK                = 0
	codeSystemBusy        = -1
	codeInvalidCredential = 40001
	codeInvalidGrantType  = 40002
	codeInvalidOpenID     = 40003
	codeInvalidMediaType  = 40004
	codeInvalidMediaID    = 40007
	codeInvalidMsgType    = 40008
	codeInvalidImageSize  = 40009
	codeInvalidAppID      = 40013
	codeInvalidToken      = 40014
	codeButtonCount       = 40016
	codeButtonType        = 40017
	codeButtonName        = 40018
	codeButtonKey         = 40019
	codeButtonURL         = 40020
	codeSubButtonCount    = 40023
	codeSubButtonType     = 40024
	codeSubButtonName     = 40025
	codeSubButtonKey      = 40026
	codeSubButtonURL      = 40027
	codeInvalidTemplateID = 40037
	codeInvalidAgentID    = 40056
	codeInvalidSecret     = 40125
	codeTokenMissing      = 41001
	codeAppIDMissing      = 41002
	codeSecretMissing     = 41004
	codeMediaMissing      = 41005
	codeOpenIDMissing     = 41009
	codeTokenExpired      = 42001
	codeRequireGET        = 43001
	codeRequirePOST       = 43002
	codeRequireSubscribe  = 43004
	codeRefuseSubscribe   = 43101
	codeEmptyContent      = 44004
	codeFreqLimit         = 45009
	codeOutOfTimeLimit    = 45015
	codeCustomLimit       = 45047
	codeMenuNotExist      = 46003
	codeDataFormat        = 47001
	codeArgumentInvalid   = 47003
)

// errTexts returns the errmsg WeChat sends with each code; the API builds it once and only reads it.
func errTexts() map[int]string {
	return map[int]string{
		codeOK:                "ok",
		codeSystemBusy:        "system error",
		codeInvalidCredential: "invalid credential, access_token is invalid or not latest",
		codeInvalidGrantType:  "invalid grant_type",
		codeInvalidOpenID:     "invalid openid",
		codeInvalidMediaType:  "invalid media type",
		codeInvalidMediaID:    "invalid media_id",
		codeInvalidMsgType:    "invalid message type",
		codeInvalidImageSize:  "invalid media size",
		codeInvalidAppID:      "invalid appid",
		codeInvalidToken:      "invalid access_token",
		codeButtonCount:       "invalid button size",
		codeButtonType:        "invalid button type",
		codeButtonName:        "invalid button name size",
		codeButtonKey:         "invalid button key size",
		codeButtonURL:         "invalid button url size",
		codeSubButtonCount:    "invalid sub button size",
		codeSubButtonType:     "invalid sub button type",
		codeSubButtonName:     "invalid sub button name size",
		codeSubButtonKey:      "invalid sub button key size",
		codeSubButtonURL:      "invalid sub button url size",
		codeInvalidTemplateID: "invalid template_id",
		codeInvalidAgentID:    "invalid agentid",
		codeInvalidSecret:     "invalid appsecret",
		codeTokenMissing:      "access_token missing",
		codeAppIDMissing:      "appid missing",
		codeSecretMissing:     "appsecret missing",
		codeMediaMissing:      "media data missing",
		codeOpenIDMissing:     "openid missing",
		codeTokenExpired:      "access_token expired",
		codeRequireGET:        "require GET method",
		codeRequirePOST:       "require POST method",
		codeRequireSubscribe:  "require subscribe",
		codeRefuseSubscribe:   "user refuse to accept the msg",
		codeEmptyContent:      "empty content",
		codeFreqLimit:         "reach max api daily quota limit",
		codeOutOfTimeLimit:    "response out of time limit or subscription is canceled",
		codeCustomLimit:       "out of response count limit",
		codeMenuNotExist:      "menu no exist",
		codeDataFormat:        "data format error",
		codeArgumentInvalid:   "argument invalid!",
	}
}
