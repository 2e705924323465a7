package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gridbot/wechatsim"
)

// countyEdits writes the sample county with three edits an operator might import while the
// service runs: a new word for 违法占道经营 (CG-001), 海东社区 renamed 海东新社区, and CG-001
// kept by the county in 安海镇 instead of delegated to it; it returns the file's path.
func countyEdits(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile(samplePath)
	if err != nil {
		t.Fatal(err)
	}
	s := string(raw)
	edits := []struct{ old, new string }{
		{"keywords: [摆摊, 摆卖, 地摊,", "keywords: [呜呜祖拉, 摆摊, 摆卖, 地摊,"},
		{"name: 海东社区\n", "name: 海东新社区\n"},
	}
	for _, e := range edits {
		if strings.Count(s, e.old) != 1 {
			t.Fatalf("the sample county changed: %q is not there once", e.old)
		}
		s = strings.Replace(s, e.old, e.new, 1)
	}
	cg001 := regexp.MustCompile(`(?s)(\n  - code: CG-001\n.*?\n    delegations:\n.*?effective: "2023-05-01"\n)`)
	if !cg001.MatchString(s) {
		t.Fatal("the sample county changed: CG-001's delegations not found")
	}
	s = cg001.ReplaceAllString(s, "${1}      - townships: [anhai]\n        situation: deferred\n        delegated: false\n"+
		"        batch: 1\n        effective: \"2023-05-01\"\n        retained_by: 晋江市城市管理局\n")
	path := filepath.Join(t.TempDir(), "edited.yaml")
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// countySeen is what a complaint at 海东社区 shows of the county: the place named on the
// location's answer, whether 违法占道经营 is offered first, and the team the case went to.
type countySeen struct {
	place   string
	offered bool
	team    string
}

// complainAtHaidong files a complaint with a description through p, placed by a location in
// 海东社区's first grid, and reports what it showed; the case is only filed when 违法占道经营 is
// offered (it is then chosen, and filed apart from the earlier ones nearby).
func complainAtHaidong(t *testing.T, app *App, p *wechatsim.Phone, description string) countySeen {
	t.Helper()
	expect(t, say(t, p, "投诉"), "请描述您要投诉的问题")
	expect(t, say(t, p, description), "现场照片")
	expect(t, say(t, p, "跳过"), "问题发生的地点")
	r, err := p.SendLocation(context.Background(), 24.7138, 118.4720, 16, "")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`已记录地点：([^。\s]+)`).FindStringSubmatch(r.Content)
	if m == nil {
		t.Fatalf("the location's answer names no place: %q", r.Content)
	}
	seen := countySeen{place: m[1], offered: strings.Contains(r.Content, "1 违法占道经营")}
	if !seen.offered {
		return seen
	}
	expect(t, say(t, p, "1"), "是否需要对您的身份保密")
	expect(t, say(t, p, "2"), "请留一个手机号")
	sum := say(t, p, "13950001234")
	if strings.Contains(sum, "仍然单独提交") { // an earlier complaint of this test is near
		sum = say(t, p, "2")
	}
	expect(t, sum, "事项：违法占道经营")
	c, err := app.store.CaseByTrackingNo(context.Background(), trackingNo(t, say(t, p, "确认")))
	if err != nil {
		t.Fatal(err)
	}
	if c.MatterCode != "CG-001" || c.Location.VillageCode != "anhai-haidong" {
		t.Fatalf("case %+v", c)
	}
	seen.team = c.TeamCode
	return seen
}

func TestAnImportChangesSuggestionsPlacesAndRoutingOnEveryInstanceMySQL(t *testing.T) {
	getenv := mysqlEnv(t)
	a, baseA := startApp(t, getenv)
	b, baseB := startApp(t, func(k string) string {
		if k == "GRIDBOT_DATA_DIR" {
			return t.TempDir()
		}
		return getenv(k)
	})
	instances := []struct {
		name string
		app  *App
		base string
	}{{"A", a, baseA}, {"B", b, baseB}}
	n := 0
	phone := func(app *App, base string) *wechatsim.Phone {
		n++
		return sandboxPhone(app, base, "oCitizen_county_"+string(rune('a'+n)), true)
	}
	for _, in := range instances {
		usual := countySeen{place: "安海镇海东社区", offered: true, team: "team-anhai"}
		if got := complainAtHaidong(t, in.app, phone(in.app, in.base), "楼下天天有人摆摊卖菜，路都堵死了"); got != usual {
			t.Fatalf("instance %s before the import: %+v, want %+v", in.name, got, usual)
		}
		if got := complainAtHaidong(t, in.app, phone(in.app, in.base), "呜呜祖拉"); got.offered || got.place != "安海镇海东社区" {
			t.Fatalf("instance %s before the import offered 违法占道经营 for a word it does not know yet: %+v", in.name, got)
		}
	}
	if out, err := gridbot(t, getenv, "import", countyEdits(t)); err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	want := countySeen{place: "安海镇海东新社区", offered: true, team: "team-dept-cgj"}
	for _, in := range instances {
		if got := complainAtHaidong(t, in.app, phone(in.app, in.base), "呜呜祖拉"); got != want {
			t.Fatalf("instance %s right after the import: %+v, want %+v", in.name, got, want)
		}
	}
}
