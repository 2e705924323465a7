package wechatsim

import (
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// The counted customer-service window (since 12 June 2023): a user's message allows 5 messages
// within 48 hours; a menu click, a follow or a scan allows 3 within 1 minute. A new message or
// event renews its allowance; it does not add up.
const (
	perMessage  = 5
	perEvent    = 3
	eventWindow = time.Minute
)

// The daily quotas of an account when APIConfig leaves them zero.
const (
	defaultCustomQuota   = 500_000
	defaultTemplateQuota = 100_000
	defaultTokenQuota    = 2_000
)

// Quotas are an account's daily call limits per API (45009 beyond them); zero fields take
// WeChat's defaults: 500,000 customer-service messages, 100,000 template messages, 2,000 token
// fetches. The day is China Standard Time's.
type Quotas struct {
	Custom   int
	Template int
	Token    int
}

// The APIs whose daily calls the simulator counts.
const (
	quotaCustom   = "custom"
	quotaTemplate = "template"
	quotaToken    = "token"
)

// quotaLimit is the daily limit of an API.
func (a *API) quotaLimit(api string) int {
	q := a.cfg.DailyQuota
	limit, def := q.Token, defaultTokenQuota
	switch api {
	case quotaCustom:
		limit, def = q.Custom, defaultCustomQuota
	case quotaTemplate:
		limit, def = q.Template, defaultTemplateQuota
	}
	if limit <= 0 {
		return def
	}
	return limit
}

// wechatDay is the day (China Standard Time) of a moment, as WeChat counts its quotas.
func wechatDay(t time.Time) string {
	return t.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02")
}

// quotaLeftLocked reports whether today's quota of api has room for one more call, starting
// the counts afresh on a new day; a.mu must be held.
func (a *API) quotaLeftLocked(api string) bool {
	if day := wechatDay(a.now()); a.st.rec.quotaDay != day {
		a.st.rec.quotaDay, a.st.rec.quota = day, map[string]int{}
	}
	return a.st.rec.quota[api] < a.quotaLimit(api)
}

// countQuotaLocked counts one call of api today; a.mu must be held and quotaLeftLocked said yes.
func (a *API) countQuotaLocked(api string) {
	a.st.rec.quota[api]++
}

// QuotaUsed is how many calls of an API ("custom", "template" or "token") the quota counted today.
func (a *API) QuotaUsed(api string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.st.rec.quotaDay != wechatDay(a.now()) {
		return 0
	}
	return a.st.rec.quota[api]
}

// takeCustomLocked applies the counted window to one customer-service message: codeOK (and
// counted), 45047 when an open window's count is spent, 45015 when no window is open.
func (u *user) takeCustomLocked(now time.Time) int {
	byMessage := !u.lastInbound.IsZero() && now.Sub(u.lastInbound) <= serviceWindow
	byEvent := !u.eventAt.IsZero() && now.Sub(u.eventAt) <= eventWindow
	switch {
	case byMessage && u.messageSends < perMessage:
		u.messageSends++
	case byEvent && u.eventSends < perEvent:
		u.eventSends++
	case byMessage || byEvent:
		return codeCustomLimit
	default:
		return codeOutOfTimeLimit
	}
	return codeOK
}

// renewLocked records a user's message (message) or window-opening event at now.
func (u *user) renewLocked(now time.Time, message bool) {
	if message {
		u.lastInbound, u.messageSends = now, 0
		return
	}
	u.eventAt, u.eventSends = now, 0
}

// AddCategoryTemplate registers a category template (类目模板) with its fields and their types,
// such as {"character_string1": "character_string", "thing2": "thing", "time3": "time"}: a send
// whose value breaks its field's type fails with 47003. Types: thing, character_string, number,
// letter, symbol, phrase, car_number, name, phone_number, amount, time, date, const.
func (a *API) AddCategoryTemplate(id string, fields map[string]string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.st.templates[id] = true
	copied := make(map[string]string, len(fields))
	for k, v := range fields {
		copied[k] = v
	}
	a.st.categories[id] = copied
}

// templateValue is one data item of a template send.
type templateValue struct {
	Value string `json:"value"`
}

// badFieldLocked returns the first field (by name) of a category template whose value breaks
// its type, or ""; a.mu must be held.
func (a *API) badFieldLocked(templateID string, data map[string]templateValue) string {
	fields := a.st.categories[templateID]
	bad := ""
	for name, typ := range fields {
		if !fitsType(typ, data[name].Value) && (bad == "" || name < bad) {
			bad = name
		}
	}
	return bad
}

// The forms WeChat documents for the typed values that are not free text.
var (
	numberForm = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)
	letterForm = regexp.MustCompile(`^[A-Za-z]+$`)
	amountForm = regexp.MustCompile(`^[¥￥$€£]?[0-9]{1,10}(\.[0-9]{1,2})?元?$`)
	phoneForm  = regexp.MustCompile(`^[0-9+\-() ]+$`)
	clockForm  = `[0-9]{1,2}:[0-9]{2}(:[0-9]{2})?`
	dayForm    = `([0-9]{4}-[0-9]{1,2}-[0-9]{1,2}|[0-9]{4}年[0-9]{1,2}月[0-9]{1,2}日)`
	timeForm   = regexp.MustCompile(`^(` + dayForm + `( ` + clockForm + `)?|` + clockForm + `)$`)
)

// fitsType reports whether a value is acceptable for a field type; an empty value is (the field
// shows empty). Lengths count characters.
func fitsType(typ, v string) bool {
	n := utf8.RuneCountInString(v)
	if v == "" {
		return true
	}
	switch typ {
	case "thing":
		return n <= 20
	case "character_string":
		return n <= 32 && !hasHan(v)
	case "number":
		return n <= 32 && numberForm.MatchString(v)
	case "letter":
		return n <= 32 && letterForm.MatchString(v)
	case "symbol":
		return n <= 5 && strings.IndexFunc(v, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) < 0
	case "phrase":
		return n <= 5 && strings.IndexFunc(v, func(r rune) bool { return !unicode.Is(unicode.Han, r) }) < 0
	case "car_number":
		return n <= 8
	case "name":
		return n <= 10 || (n <= 20 && letterForm.MatchString(strings.ReplaceAll(v, " ", "")))
	case "phone_number":
		return n <= 17 && phoneForm.MatchString(v)
	case "amount":
		return amountForm.MatchString(v)
	case "time", "date":
		return periodFits(v)
	}
	return true // const and unknown types take anything
}

// periodFits checks a time or date, or two joined by "~".
func periodFits(v string) bool {
	for part := range strings.SplitSeq(v, "~") {
		if !timeForm.MatchString(strings.TrimSpace(part)) {
			return false
		}
	}
	return true
}

// hasHan reports whether v holds a Chinese character.
func hasHan(v string) bool {
	return strings.IndexFunc(v, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0
}
