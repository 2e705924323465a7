package wechat

// The Chinese texts that users see on the Official Account's menu; names are at most 16 bytes
// on the top level and 60 bytes below it, as WeChat requires.
const (
	msgMenuReflect   = "我要反映"
	msgMenuComplaint = "投诉"
	msgMenuTip       = "举报"
	msgMenuReport    = "网格上报"
	msgMenuQuery     = "查询进度"
	msgMenuMore      = "更多"
	msgMenuRate      = "评价"
	msgMenuBind      = "绑定身份"
	msgMenuHelp      = "帮助"
)

// msgCardButton is the button of a WeCom text card, which opens its URL.
const msgCardButton = "详情"
