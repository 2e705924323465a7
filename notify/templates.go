package notify

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gridbot/wechat"
)

// The parts of a message a template field can show (TemplateField.Source).
const (
	SourceTitle       = "title"       // the message's title
	SourceStatus      = "status"      // the state in a few characters, such as 已受理 or 新派遣
	SourceState       = "state"       // the state in words (the 办理状态 line)
	SourceTrackingNo  = "tracking_no" // 受理编号 / 案件编号
	SourceMatter      = "matter"      // 事项
	SourcePlace       = "place"       // 地点
	SourceDeadline    = "deadline"    // 办理时限, as 2006-01-02 15:04
	SourceDescription = "description" // 问题描述
	SourceContact     = "contact"     // 联系方式
	SourceNote        = "note"        // 说明
	SourceResult      = "result"      // 办理结果
	SourceRemark      = "remark"      // the closing line (shortcuts, how to rate)
)

// Sources lists every source a template field can show, for messages that name them.
func Sources() []string {
	return []string{SourceTitle, SourceStatus, SourceState, SourceTrackingNo, SourceMatter, SourcePlace,
		SourceDeadline, SourceDescription, SourceContact, SourceNote, SourceResult, SourceRemark}
}

// TemplateField is one field of a category template: its name in the template (thing2), its
// type, and the part of the message it shows.
type TemplateField struct {
	Name   string
	Type   wechat.FieldType
	Source string
}

// TemplateFields maps a notification kind to the fields of its template. A kind without an
// entry is sent with the classic fields first, keyword1…, remark.
type TemplateFields map[string][]TemplateField

// fieldSpec is one "name=source" or "name(type)=source" of GRIDBOT_WECHAT_TEMPLATE_FIELDS.
var fieldSpec = regexp.MustCompile(`^([a-z_]+[0-9]*)(?:\(([a-z_]+)\))?=([a-z_]+)$`)

// ParseTemplateFields reads GRIDBOT_WECHAT_TEMPLATE_FIELDS: kinds separated by ";", each
// "kind: field=source, field=source". A field's type is the start of its name (thing2 is a
// thing) or given in parentheses (keyword1(thing)=matter). The error has one line per problem.
//
//	case_status: character_string1=tracking_no, thing2=matter, phrase3=status
func ParseTemplateFields(spec string) (TemplateFields, error) {
	out := TemplateFields{}
	seen := map[string]bool{}
	var problems []error
	for entry := range strings.SplitSeq(spec, ";") {
		if strings.TrimSpace(entry) == "" {
			continue
		}
		kind, fields, errs := parseTemplateEntry(entry)
		problems = append(problems, errs...)
		if seen[kind] && kind != "" {
			problems = append(problems, fmt.Errorf("%s: listed twice", kind))
		}
		seen[kind] = true
		if kind != "" && len(errs) == 0 {
			out[kind] = fields
		}
	}
	return out, errors.Join(problems...)
}

// parseTemplateEntry reads one "kind: field=source, ..." and returns every problem in it.
func parseTemplateEntry(entry string) (string, []TemplateField, []error) {
	kind, list, ok := strings.Cut(entry, ":")
	kind = strings.TrimSpace(kind)
	if !ok || kind == "" {
		return "", nil, []error{fmt.Errorf("%q must be kind: field=source, field=source", strings.TrimSpace(entry))}
	}
	var errs []error
	if !slices.Contains(Kinds(), kind) {
		errs = append(errs, fmt.Errorf("%s: unknown notification kind (known: %s)", kind, strings.Join(Kinds(), ", ")))
	}
	var fields []TemplateField
	for item := range strings.SplitSeq(list, ",") {
		f, err := parseTemplateField(strings.TrimSpace(item))
		if err == nil && slices.ContainsFunc(fields, func(g TemplateField) bool { return g.Name == f.Name }) {
			err = fmt.Errorf("field %s listed twice", f.Name)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", kind, err))
			continue
		}
		fields = append(fields, f)
	}
	return kind, fields, errs
}

// parseTemplateField reads one "name=source" or "name(type)=source".
func parseTemplateField(item string) (TemplateField, error) {
	m := fieldSpec.FindStringSubmatch(item)
	if m == nil {
		return TemplateField{}, fmt.Errorf("%q must be field=source such as thing2=matter, or field(type)=source", item)
	}
	f := TemplateField{Name: m[1], Type: wechat.FieldType(m[2]), Source: m[3]}
	if f.Type == "" {
		f.Type = wechat.FieldTypeOf(f.Name)
	}
	switch {
	case f.Name == "first" || f.Name == "remark":
		return f, fmt.Errorf("%s: category templates no longer show first and remark", f.Name)
	case !f.Type.Known():
		return f, fmt.Errorf("%s: unknown field type %q (give it as %s(type)=...; types: %s)", f.Name, m[2], f.Name, typeList())
	case !slices.Contains(Sources(), f.Source):
		return f, fmt.Errorf("%s: unknown source %q (sources: %s)", f.Name, f.Source, strings.Join(Sources(), ", "))
	}
	return f, nil
}

// typeList names the field types for messages.
func typeList() string {
	names := make([]string, 0, len(wechat.FieldTypes()))
	for _, t := range wechat.FieldTypes() {
		names = append(names, string(t))
	}
	return strings.Join(names, ", ")
}

// templateData fills a template's fields from a message: the configured fields, each value
// fitted to its type; else the classic first, keyword1…, remark.
func templateData(fields []TemplateField, msg Message) map[string]string {
	if len(fields) == 0 {
		return classicData(msg)
	}
	data := make(map[string]string, len(fields))
	for _, f := range fields {
		data[f.Name] = wechat.FitField(f.Type, msg.value(f.Source))
	}
	return data
}

// classicData maps a message onto the classic template fields: first, keyword1…, remark.
func classicData(msg Message) map[string]string {
	data := map[string]string{"first": msg.Title}
	for i, f := range msg.Fields {
		data["keyword"+strconv.Itoa(i+1)] = f.Value
	}
	if msg.Remark != "" {
		data["remark"] = msg.Remark
	}
	return data
}
