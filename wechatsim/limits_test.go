package wechatsim

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestCustomWindowIsCounted(t *testing.T) {
	f := newAPIFixture(t)
	send := func(to string) int {
		return errcode(f.post("/cgi-bin/message/custom/send", tq(f.token()),
			`{"touser":"`+to+`","msgtype":"text","text":{"content":"您的投诉已受理"}}`))
	}
	steps := []struct {
		name    string
		act     func()
		sends   int
		want    []int // the errcode of each send, in order
		advance time.Duration
	}{
		{"a message allows five", func() { f.api.noteInbound("o1", "text", "") }, 6,
			[]int{0, 0, 0, 0, 0, 45047}, 0},
		{"a new message renews five, not adding up", func() { f.api.noteInbound("o1", "text", "") }, 6,
			[]int{0, 0, 0, 0, 0, 45047}, 47 * time.Hour},
		{"still 45047 inside 48 h", func() {}, 1, []int{45047}, 2 * time.Hour},
		{"45015 after 48 h", func() {}, 1, []int{45015}, 0},
		{"a menu click allows three within a minute", func() { f.api.noteInbound("o1", "event", "CLICK") }, 4,
			[]int{0, 0, 0, 45047}, 61 * time.Second},
		{"the click's minute is over", func() {}, 1, []int{45015}, 0},
		{"a follow opens the same minute", func() { f.api.noteInbound("o1", "event", "subscribe") }, 1, []int{0}, 0},
		{"a view event opens nothing", func() { f.api.noteInbound("o2", "event", "VIEW") }, 0, nil, 0},
	}
	for _, s := range steps {
		s.act()
		var got []int
		for range s.sends {
			got = append(got, send("o1"))
		}
		if fmt.Sprint(got) != fmt.Sprint(s.want) {
			t.Fatalf("%s: errcodes %v, want %v", s.name, got, s.want)
		}
		f.clock.Advance(s.advance)
	}
	if got := send("o2"); got != 45015 {
		t.Errorf("after a VIEW event: errcode %d, want 45015", got)
	}
	f.api.SetLastInbound("o3", f.clock.Now())
	for range 5 {
		send("o3")
	}
	m := f.post("/cgi-bin/message/custom/send", tq(f.token()), `{"touser":"o3","msgtype":"text","text":{"content":"x"}}`)
	f.api.SetLastInbound("o3", f.clock.Now())
	if errcode(m) != 45047 || !strings.HasPrefix(m["errmsg"].(string), "out of response count limit rid: ") {
		t.Errorf("45047 answer %v", m)
	}
	if got := send("o3"); got != 0 {
		t.Errorf("SetLastInbound did not renew the count: %d", got)
	}
}

func TestDailyQuotas(t *testing.T) {
	clock := newClock()
	clock.Advance(14*time.Hour + 58*time.Minute) // 23:58 in Beijing
	f := newAPIFixtureWith(t, clock, func(c *APIConfig) { c.DailyQuota = Quotas{Custom: 3, Template: 2, Token: 4} })
	tok := f.token()
	for _, o := range []string{"o1", "o2"} {
		f.api.SetLastInbound(o, clock.Now())
	}
	custom := func(to string) int {
		return errcode(f.post("/cgi-bin/message/custom/send", tq(tok), `{"touser":"`+to+`","msgtype":"text","text":{"content":"x"}}`))
	}
	template := func(cmid string) int {
		return errcode(f.post("/cgi-bin/message/template/send", tq(tok),
			`{"touser":"o1","template_id":"t","client_msg_id":"`+cmid+`","data":{}}`))
	}
	stable := func() int {
		return errcode(f.post("/cgi-bin/stable_token", nil, `{"grant_type":"client_credential","appid":"wxsandbox0000001","secret":"s3cret"}`))
	}
	got := []int{custom("o1"), custom("o2"), custom("o1"), custom("o2"), template("a"), template("b"), template("c"),
		template("a"), stable(), stable(), stable()}
	// A retried client_msg_id is no new call; the first token came from /cgi-bin/token, which shares the quota.
	want := []int{0, 0, 0, 45009, 0, 0, 45009, 0, 0, 0, 0}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("errcodes %v, want %v", got, want)
	}
	m := f.get("/cgi-bin/token", url.Values{"grant_type": {"client_credential"}, "appid": {"wxsandbox0000001"}, "secret": {"s3cret"}})
	if errcode(m) != 45009 || !strings.HasPrefix(m["errmsg"].(string), "reach max api daily quota limit") {
		t.Errorf("token beyond the quota: %v", m)
	}
	if u := f.api.QuotaUsed("custom"); u != 3 {
		t.Errorf("QuotaUsed(custom) = %d, want 3", u)
	}
	clock.Advance(3 * time.Minute) // past midnight in Beijing: a new day
	if got := []int{custom("o2"), template("d"), stable()}; fmt.Sprint(got) != "[0 0 0]" {
		t.Errorf("the next day: errcodes %v, want all 0", got)
	}
	if u := f.api.QuotaUsed("template"); u != 1 {
		t.Errorf("QuotaUsed(template) on the new day = %d, want 1", u)
	}
}

func TestCategoryTemplateFieldTypes(t *testing.T) {
	f := newAPIFixture(t)
	tok := f.token()
	f.api.AddCategoryTemplate("tpl-typed", map[string]string{"character_string1": "character_string", "thing2": "thing",
		"phrase3": "phrase", "time4": "time", "number5": "number", "phone_number6": "phone_number", "amount7": "amount"})
	good := map[string]string{"character_string1": "CG-20260102-0001", "thing2": strings.Repeat("城", 20),
		"phrase3": "处置中", "time4": "2026-01-03 17:00", "number5": "12.5", "phone_number6": "0512-12345678", "amount7": "¥100.00"}
	tests := []struct {
		field, value string
		ok           bool
	}{
		{"", "", true},
		{"thing2", strings.Repeat("城", 21), false},
		{"thing2", strings.Repeat("😀", 20), true}, // characters, not bytes
		{"character_string1", strings.Repeat("A", 33), false},
		{"character_string1", "编号001", false},
		{"phrase3", "执法人员已签收", false},
		{"phrase3", "ok", false},
		{"time4", "三个工作日内", false},
		{"time4", "2026年1月3日 17:00~2026年1月4日 09:00", true},
		{"time4", "17:00", true},
		{"number5", "十二", false},
		{"phone_number6", "0512-12345678-99999", false},
		{"amount7", "一百元", false},
		{"amount7", "100元", true},
		{"first", strings.Repeat("长", 300), true}, // not a field of the template: not shown, not checked
	}
	for i, tt := range tests {
		data := []string{}
		for k, v := range good {
			if k == tt.field {
				v = tt.value
			}
			data = append(data, fmt.Sprintf("%q:{\"value\":%q}", k, v))
		}
		if _, ok := good[tt.field]; !ok && tt.field != "" {
			data = append(data, fmt.Sprintf("%q:{\"value\":%q}", tt.field, tt.value))
		}
		body := fmt.Sprintf(`{"touser":"o1","template_id":"tpl-typed","client_msg_id":"c%d","data":{%s}}`, i, strings.Join(data, ","))
		m := f.post("/cgi-bin/message/template/send", tq(tok), body)
		if tt.ok != (errcode(m) == 0) {
			t.Errorf("%s=%q: answer %v, want ok %v", tt.field, tt.value, m, tt.ok)
		}
		if !tt.ok && (errcode(m) != 47003 || !strings.HasPrefix(m["errmsg"].(string), "argument invalid! data."+tt.field+".value invalid rid: ")) {
			t.Errorf("%s=%q: answer %v, want 47003 naming the field", tt.field, tt.value, m)
		}
	}
	if got := f.api.QuotaUsed("template"); got != 6 {
		t.Errorf("refused sends were counted: %d template sends counted, want the 6 accepted", got)
	}
}
