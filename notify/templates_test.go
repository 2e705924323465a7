package notify_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"gridbot/notify"
	"gridbot/wechat"
)

func TestParseTemplateFields(t *testing.T) {
	got, err := notify.ParseTemplateFields(" case_status: character_string1=tracking_no, thing2=matter, phrase3=status ;" +
		"case_dispatched: keyword1(thing)=place, time4=deadline;")
	if err != nil {
		t.Fatal(err)
	}
	want := notify.TemplateFields{
		"case_status": {{Name: "character_string1", Type: wechat.FieldCharacterString, Source: "tracking_no"},
			{Name: "thing2", Type: wechat.FieldThing, Source: "matter"}, {Name: "phrase3", Type: wechat.FieldPhrase, Source: "status"}},
		"case_dispatched": {{Name: "keyword1", Type: wechat.FieldThing, Source: "place"},
			{Name: "time4", Type: wechat.FieldTime, Source: "deadline"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseTemplateFields (-want +got):\n%s", diff)
	}
}

func TestParseTemplateFieldsReportsEachProblemOnItsLine(t *testing.T) {
	tests := []struct {
		spec string
		want []string
	}{
		{"", nil},
		{"case_status thing2=matter", []string{`"case_status thing2=matter" must be kind: field=source, field=source`}},
		{"case_nothing: thing2=matter", []string{"case_nothing: unknown notification kind"}},
		{"case_status: thing2=mater, keyword1=matter, first=title, thing2", []string{
			`case_status: thing2: unknown source "mater"`,
			`case_status: keyword1: unknown field type "" (give it as keyword1(type)=...`,
			"case_status: first: category templates no longer show first and remark",
			`case_status: "thing2" must be field=source`}},
		{"case_status: thing2=matter, thing2=place; case_status: thing3=place", []string{
			"case_status: field thing2 listed twice", "case_status: listed twice"}},
		{"case_status: keyword1(colour)=matter", []string{`case_status: keyword1: unknown field type "colour"`}},
	}
	for _, tt := range tests {
		_, err := notify.ParseTemplateFields(tt.spec)
		var lines []string
		if err != nil {
			lines = strings.Split(err.Error(), "\n")
		}
		if len(lines) != len(tt.want) {
			t.Errorf("%q: problems %q, want %d lines", tt.spec, lines, len(tt.want))
			continue
		}
		for i, w := range tt.want {
			if !strings.HasPrefix(lines[i], w) {
				t.Errorf("%q: line %d = %q, want it to start with %q", tt.spec, i+1, lines[i], w)
			}
		}
	}
}
