package handlers

// The texts people read in a callback's answer when the message itself is refused.
const (
	// msgBadLocation answers a location whose coordinates are not a place on Earth.
	msgBadLocation = "位置信息无效，请重新发送定位或输入地址"
)
