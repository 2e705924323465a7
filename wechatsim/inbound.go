package wechatsim

import (
	"bytes"
	"strconv"
	"strings"
)

// Inbound is a message or event that WeChat pushes to the callback; fields not used by MsgType are ignored.
type Inbound struct {
	ToUserName   string // the account: gh_... for the Official Account, the CorpID for WeCom
	FromUserName string // the user's openid (WeCom: userid)
	CreateTime   int64
	MsgType      string // text, image, voice, video, shortvideo, location, link, event
	Content      string
	PicURL       string
	MediaID      string
	Format       string
	Recognition  string
	ThumbMediaID string
	LocationX    float64 // latitude, GCJ-02
	LocationY    float64 // longitude, GCJ-02
	Scale        int
	Label        string
	Title        string
	Description  string
	URL          string
	Event        string // subscribe, unsubscribe, CLICK, VIEW, SCAN, LOCATION, ...
	EventKey     string
	Latitude     float64 // LOCATION event
	Longitude    float64 // LOCATION event
	Precision    float64 // LOCATION event
	MsgID        int64   // messages only; events have none
	AgentID      string  // WeCom only
}

// XML renders the message exactly as WeChat lays it out: CDATA strings, one element per line.
func (in Inbound) XML() []byte {
	var x xmlWriter
	x.buf.WriteString("<xml>")
	x.text("ToUserName", in.ToUserName)
	x.text("FromUserName", in.FromUserName)
	x.plain("CreateTime", strconv.FormatInt(in.CreateTime, 10))
	x.text("MsgType", in.MsgType)
	if in.MsgType == "event" {
		in.eventFields(&x)
	} else {
		in.messageFields(&x)
		x.plain("MsgId", strconv.FormatInt(in.MsgID, 10))
	}
	if in.AgentID != "" {
		x.plain("AgentID", in.AgentID)
	}
	x.buf.WriteString("</xml>")
	return x.buf.Bytes()
}

// messageFields writes the fields of a message type in WeChat's order.
func (in Inbound) messageFields(x *xmlWriter) {
	switch in.MsgType {
	case "image":
		x.text("PicUrl", in.PicURL)
		x.text("MediaId", in.MediaID)
	case "voice":
		x.text("MediaId", in.MediaID)
		x.text("Format", in.Format)
		if in.Recognition != "" {
			x.text("Recognition", in.Recognition)
		}
	case "video", "shortvideo":
		x.text("MediaId", in.MediaID)
		x.text("ThumbMediaId", in.ThumbMediaID)
	case "location":
		x.plain("Location_X", coordinate(in.LocationX))
		x.plain("Location_Y", coordinate(in.LocationY))
		x.plain("Scale", strconv.Itoa(in.Scale))
		x.text("Label", in.Label)
	case "link":
		x.text("Title", in.Title)
		x.text("Description", in.Description)
		x.text("Url", in.URL)
	default:
		x.text("Content", in.Content)
	}
}

// eventFields writes the fields of an event in WeChat's order.
func (in Inbound) eventFields(x *xmlWriter) {
	x.text("Event", in.Event)
	switch in.Event {
	case "unsubscribe":
	case "LOCATION":
		x.plain("Latitude", coordinate(in.Latitude))
		x.plain("Longitude", coordinate(in.Longitude))
		x.plain("Precision", coordinate(in.Precision))
	case "subscribe":
		if in.EventKey != "" {
			x.text("EventKey", in.EventKey)
		}
	default:
		x.text("EventKey", in.EventKey)
	}
}

// coordinate formats a degree value with the six decimals WeChat sends.
func coordinate(v float64) string {
	return strconv.FormatFloat(v, 'f', 6, 64)
}

// xmlWriter builds WeChat's flat XML.
type xmlWriter struct {
	buf bytes.Buffer
}

// text writes <name><![CDATA[v]]></name>, splitting any "]]>" inside v.
func (x *xmlWriter) text(name, v string) {
	x.plain(name, "<![CDATA["+strings.ReplaceAll(v, "]]>", "]]]]><![CDATA[>")+"]]>")
}

// plain writes <name>v</name> with v as given.
func (x *xmlWriter) plain(name, v string) {
	x.buf.WriteString("<" + name + ">" + v + "</" + name + ">\n")
}
