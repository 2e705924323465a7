package bench

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http/httptest"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"gridbot/notify"
	"gridbot/wechatsim"
)

// The notify configuration: gridbot runs with Official Account and WeCom credentials, template
// ids for every kind of notice, and API bases pointing at a fake WeChat API served by this
// process (wechatsim on two loopback servers, one per host), so that its callbacks are checked
// with those credentials and every notice leaves gridbot over HTTP.

// WeChatCredentials are the credentials a notify run gives gridbot and its fake WeChat accepts.
type WeChatCredentials struct {
	AppID, Secret, Token, AESKey                      string
	CorpID, CorpSecret, AgentID, WeComToken, WeComAES string
	Templates                                         map[string]string // notice kind → template id
}

// newCredentials draws credentials shaped like real ones: an AppID wx + 16 hex digits, a 32-hex
// secret, a 43-character EncodingAESKey, 43-character template ids.
func newCredentials() WeChatCredentials {
	c := WeChatCredentials{AppID: "wx" + randomHex(8), Secret: randomHex(16), Token: "tk" + randomHex(12),
		AESKey: randomKey(), CorpID: "ww" + randomHex(8), CorpSecret: randomBase64(32), AgentID: "1000002",
		WeComToken: "wt" + randomHex(12), WeComAES: randomKey(), Templates: map[string]string{}}
	for _, k := range notify.Kinds() {
		c.Templates[k] = randomBase64(32)[:43]
	}
	return c
}

// randomHex returns 2n random hex digits.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand never fails on Linux
	return hex.EncodeToString(b)
}

// randomBase64 returns n random bytes in URL-safe base64 without padding.
func randomBase64(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// randomKey returns a random EncodingAESKey: 32 bytes in standard base64, without the '='.
func randomKey() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return strings.TrimRight(base64.StdEncoding.EncodeToString(b), "=")
}

// FakeWeChat is the fake WeChat API of a notify run: api.weixin.qq.com and qyapi.weixin.qq.com
// as served by wechatsim, each on a loopback server of its own.
type FakeWeChat struct {
	API      *wechatsim.API
	Creds    WeChatCredentials
	official *httptest.Server
	work     *httptest.Server
}

// StartFakeWeChat draws credentials and starts the two servers.
func StartFakeWeChat() *FakeWeChat {
	c := newCredentials()
	api := wechatsim.NewAPI(wechatsim.APIConfig{AppID: c.AppID, AppSecret: c.Secret, CorpID: c.CorpID,
		CorpSecret: c.CorpSecret, AgentID: c.AgentID})
	for _, id := range c.Templates {
		api.AddTemplate(id) // a send with any other template id fails with 40037
	}
	return &FakeWeChat{API: api, Creds: c, official: httptest.NewServer(api.OfficialHandler()),
		work: httptest.NewServer(api.WorkHandler())}
}

// Env is gridbot's settings for the fake API: credentials, API bases and templates.
func (f *FakeWeChat) Env() map[string]string {
	c := f.Creds
	kinds := make([]string, 0, len(c.Templates))
	for k := range c.Templates {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	pairs := make([]string, len(kinds))
	for i, k := range kinds {
		pairs[i] = k + "=" + c.Templates[k]
	}
	return map[string]string{
		"GRIDBOT_WECHAT_APPID":     c.AppID,
		"GRIDBOT_WECHAT_SECRET":    c.Secret,
		"GRIDBOT_WECHAT_TOKEN":     c.Token,
		"GRIDBOT_WECHAT_AES_KEY":   c.AESKey,
		"GRIDBOT_WECHAT_API_BASE":  f.official.URL,
		"GRIDBOT_WECHAT_TEMPLATES": strings.Join(pairs, ","),
		"GRIDBOT_WECOM_CORPID":     c.CorpID,
		"GRIDBOT_WECOM_AGENTID":    c.AgentID,
		"GRIDBOT_WECOM_SECRET":     c.CorpSecret,
		"GRIDBOT_WECOM_TOKEN":      c.WeComToken,
		"GRIDBOT_WECOM_AES_KEY":    c.WeComAES,
		"GRIDBOT_WECOM_API_BASE":   f.work.URL,
		// The benchmark's 32 users each file a complaint every few seconds and the same few
		// officers get every dispatch: the production limits (20 a minute per person, 1,000 a
		// second) would hold most notices back, and their sending would not be measured.
		"GRIDBOT_NOTIFY_RATE_PER_PERSON": strconv.Itoa(notifyUnlimited),
		"GRIDBOT_NOTIFY_RATE_GLOBAL":     strconv.Itoa(notifyUnlimited),
	}
}

// notifyUnlimited is a rate limit no run reaches.
const notifyUnlimited = 1_000_000

// Target is the account the virtual users' phones sign and encrypt for.
func (f *FakeWeChat) Target() Target {
	return Target{AppID: f.Creds.AppID, Token: f.Creds.Token, AESKey: f.Creds.AESKey}
}

// Inbound records that a user's message reached WeChat, which opens their 48-hour
// customer-service window for 5 messages; pass it as LoadConfig.Inbound.
func (f *FakeWeChat) Inbound(openID string) { f.API.SetLastInbound(openID, time.Now()) }

// Delivered counts the messages the fake API accepted so far.
func (f *FakeWeChat) Delivered() int { return f.API.SentCount() }

// URL names the two servers, for the report.
func (f *FakeWeChat) URL() string {
	return f.official.URL + " (Official Account), " + f.work.URL + " (WeCom)"
}

// Close stops the servers.
func (f *FakeWeChat) Close() {
	f.official.Close()
	f.work.Close()
}

// NoticeTally compares the outbox of gridbot's database with what the fake API delivered. An
// intent is identified at the API by its recipient (openid or WeCom userid) and its case's
// tracking number, which every notice shows.
type NoticeTally struct {
	Intents   int            `json:"intents"`           // rows of the outbox
	States    map[string]int `json:"outbox_states"`     // by state, after the drain
	Drained   bool           `json:"drained"`           // nothing pending or sending when counted
	Delivered int            `json:"delivered"`         // messages the fake API accepted
	ByKind    map[string]int `json:"delivered_by_kind"` // custom, template, wecom
	Once      int            `json:"delivered_once"`    // intents delivered exactly once
	Repeated  int            `json:"delivered_repeatedly"`
	Missing   int            `json:"not_delivered"`
	Unmatched int            `json:"unmatched_messages"` // deliveries no intent explains
	Samples   []string       `json:"samples,omitempty"`
}

// OK reports every intent delivered exactly once and nothing else delivered.
func (t NoticeTally) OK() bool {
	return t.Intents > 0 && t.Drained && t.Once == t.Intents && t.Repeated == 0 && t.Missing == 0 && t.Unmatched == 0
}

// outboxRow is one intent: its state, recipient and case.
type outboxRow struct {
	state, trackingNo, openID, wecomID string
	person                             int64
}

// digitsRE finds the numbers in a message body; tracking numbers are among them.
var digitsRE = regexp.MustCompile(`[0-9]+`)

// WaitAndTally waits (at most timeout) until gridbot's outbox in the database of driver and dsn
// has nothing pending or sending, then matches its intents with the messages delivered.
func (f *FakeWeChat) WaitAndTally(ctx context.Context, driver, dsn string, timeout time.Duration) (NoticeTally, error) {
	db, err := sql.Open(driver, dsn)
	if err != nil {
		return NoticeTally{}, fmt.Errorf("notice tally: %w", err)
	}
	defer db.Close()
	var rows []outboxRow
	deadline := time.Now().Add(timeout)
	t := NoticeTally{}
	for {
		if rows, err = readOutbox(ctx, db); err != nil {
			return t, err
		}
		t.States = map[string]int{}
		for _, r := range rows {
			t.States[r.state]++
		}
		t.Drained = t.States["pending"] == 0 && t.States["sending"] == 0
		if t.Drained || time.Now().After(deadline) || !sleepUntil(ctx, time.Now().Add(500*time.Millisecond)) {
			break
		}
	}
	t.match(rows, f.API.Sent())
	return t, nil
}

// WaitOutbox waits (at most timeout) until gridbot's outbox in the database of driver and dsn
// has nothing pending or sending, and returns how long that took and whether it happened.
func WaitOutbox(ctx context.Context, driver, dsn string, timeout time.Duration) (time.Duration, bool, error) {
	db, err := sql.Open(driver, dsn)
	if err != nil {
		return 0, false, fmt.Errorf("outbox: %w", err)
	}
	defer db.Close()
	start := time.Now()
	for {
		var n int
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM intents WHERE state IN ('pending', 'sending')").Scan(&n); err != nil {
			return time.Since(start), false, fmt.Errorf("outbox: %w", err)
		}
		if n == 0 {
			return time.Since(start), true, nil
		}
		if time.Since(start) > timeout || !sleepUntil(ctx, time.Now().Add(100*time.Millisecond)) {
			return time.Since(start), false, ctx.Err()
		}
	}
}

// readOutbox reads every intent with its recipient's addresses and its case's tracking number.
func readOutbox(ctx context.Context, db *sql.DB) ([]outboxRow, error) {
	rs, err := db.QueryContext(ctx, `SELECT i.state, COALESCE(c.tracking_no, ''), COALESCE(p.openid, ''),
		COALESCE(p.wecom_userid, ''), i.recipient_id
		FROM intents i LEFT JOIN cases c ON c.id = i.case_id LEFT JOIN people p ON p.id = i.recipient_id`)
	if err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	defer rs.Close()
	var out []outboxRow
	for rs.Next() {
		var r outboxRow
		if err := rs.Scan(&r.state, &r.trackingNo, &r.openID, &r.wecomID, &r.person); err != nil {
			return nil, fmt.Errorf("read outbox: %w", err)
		}
		out = append(out, r)
	}
	return out, rs.Err()
}

// match counts, for each (recipient, case), the intents and the messages delivered.
func (t *NoticeTally) match(rows []outboxRow, sent []wechatsim.SentMessage) {
	type key struct {
		person int64
		no     string
	}
	want, got := map[key]int{}, map[key]int{}
	addr, numbers := map[string]int64{}, map[string]bool{}
	for _, r := range rows {
		want[key{r.person, r.trackingNo}]++
		numbers[r.trackingNo] = true
		for _, a := range []string{r.openID, r.wecomID} {
			if a != "" {
				addr[a] = r.person
			}
		}
	}
	t.Intents, t.Delivered, t.ByKind = len(rows), len(sent), map[string]int{}
	for _, m := range sent {
		t.ByKind[string(m.Kind)]++
		person, ok := addr[m.To]
		matched := false
		for _, no := range digitsRE.FindAllString(string(m.Body), -1) {
			if k := (key{person, no}); ok && numbers[no] && want[k] > 0 {
				got[k]++
				matched = true
				break
			}
		}
		if !matched {
			t.Unmatched++
			t.sample(fmt.Sprintf("a %s message to %q that no intent explains: %.120s", m.Kind, m.To, m.Body))
		}
	}
	for k, n := range want {
		switch d := got[k]; {
		case d == n:
			t.Once += n
		case d > n:
			t.Repeated += n
			t.sample(fmt.Sprintf("case %s to person %d: %d intents, %d messages", k.no, k.person, n, d))
		default:
			t.Once += d
			t.Missing += n - d
		}
	}
}

// sample keeps the first few problems in full.
func (t *NoticeTally) sample(s string) {
	if len(t.Samples) < 5 {
		t.Samples = append(t.Samples, s)
	}
}
