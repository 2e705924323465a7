package config

import (
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// envPrefix starts the name of every environment variable gridbot reads.
const envPrefix = "GRIDBOT_"

// Setting documents one configuration setting.
type Setting struct {
	Env         string // environment variable, GRIDBOT_ prefix included
	YAML        string // key in the YAML file
	Default     string // default value as text; empty when there is none
	Description string // one English line
	Secret      bool   // never logged nor shown in errors
}

// field is one tagged Config field: its position, its documentation and the default it starts with.
type field struct {
	index   int
	def     string
	setting Setting
}

// fields lists the tagged fields of Config in declaration order.
func fields() []field {
	t := reflect.TypeFor[Config]()
	var out []field
	for i := range t.NumField() {
		sf := t.Field(i)
		name, ok := sf.Tag.Lookup("env")
		if !ok {
			continue
		}
		out = append(out, field{index: i, def: sf.Tag.Get("default"), setting: settingOf(sf, name)})
	}
	return out
}

// settingOf reads the documentation of one struct field from its tags.
func settingOf(sf reflect.StructField, env string) Setting {
	shown, ok := sf.Tag.Lookup("defaultdoc")
	if !ok {
		shown = sf.Tag.Get("default")
	}
	return Setting{
		Env:         envPrefix + env,
		YAML:        strings.Split(sf.Tag.Get("yaml"), ",")[0],
		Default:     shown,
		Description: sf.Tag.Get("desc"),
		Secret:      sf.Tag.Get("secret") == "true",
	}
}

// Settings returns the documentation of every setting in declaration order.
func Settings() []Setting {
	fs := fields()
	out := make([]Setting, len(fs))
	for i, f := range fs {
		out[i] = f.setting
	}
	return out
}

// defaults returns a Config holding every default from the struct tags.
func defaults() (Config, error) {
	var c Config
	v := reflect.ValueOf(&c).Elem()
	for _, f := range fields() {
		if f.def == "" {
			continue
		}
		if err := setText(v.Field(f.index), f.def); err != nil {
			return Config{}, fmt.Errorf("default of %s: %w", f.setting.Env, err)
		}
	}
	return c, nil
}

// applyEnv overwrites c with every non-empty GRIDBOT_* variable and reports the values it cannot parse.
func applyEnv(c *Config, getenv func(string) string) problems {
	v := reflect.ValueOf(c).Elem()
	var p problems
	for _, f := range fields() {
		text := getenv(f.setting.Env)
		if text == "" {
			continue
		}
		if err := setText(v.Field(f.index), text); err != nil {
			p = append(p, FieldError{Variable: f.setting.Env, Problem: describeParseError(err, text, f.setting.Secret)})
		}
	}
	return p
}

// describeParseError states the accepted form and, unless the setting is secret, the value given.
func describeParseError(err error, text string, secret bool) string {
	if secret {
		return err.Error()
	}
	return fmt.Sprintf("%s, got %q", err, text)
}

// setText parses text into v according to v's type; its error states the accepted form only.
func setText(v reflect.Value, text string) error {
	if v.Type() == reflect.TypeFor[time.Duration]() {
		return setDuration(v, text)
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(text)
		return nil
	case reflect.Bool:
		return setBool(v, text)
	case reflect.Int, reflect.Int64:
		return setInt(v, text)
	default:
		return fmt.Errorf("unsupported setting type %s", v.Type())
	}
}

// setDuration parses a Go duration such as "10s" into v.
func setDuration(v reflect.Value, text string) error {
	d, err := time.ParseDuration(text)
	if err != nil {
		return errors.New(`must be a duration such as "10s", "1m30s" or "336h"`)
	}
	v.SetInt(int64(d))
	return nil
}

// setBool parses true or false into v.
func setBool(v reflect.Value, text string) error {
	b, err := strconv.ParseBool(text)
	if err != nil {
		return errors.New("must be true or false")
	}
	v.SetBool(b)
	return nil
}

// setInt parses a decimal whole number that fits v into v.
func setInt(v reflect.Value, text string) error {
	n, err := strconv.ParseInt(text, 10, v.Type().Bits())
	if err != nil {
		return errors.New("must be a whole number")
	}
	v.SetInt(n)
	return nil
}

// formatText renders v the way setText reads it.
func formatText(v reflect.Value) string {
	if v.Type() == reflect.TypeFor[time.Duration]() {
		return time.Duration(v.Int()).String()
	}
	switch v.Kind() {
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	case reflect.Int, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10)
	default:
		return v.String()
	}
}

// LogValue renders every setting under its YAML key, with secrets shown as "***" when set and "" when empty.
func (c Config) LogValue() slog.Value {
	v := reflect.ValueOf(c)
	fs := fields()
	attrs := make([]slog.Attr, len(fs))
	for i, f := range fs {
		attrs[i] = logAttr(f.setting, v.Field(f.index))
	}
	return slog.GroupValue(attrs...)
}

// logAttr renders one setting for the log, masking secrets.
func logAttr(s Setting, v reflect.Value) slog.Attr {
	switch {
	case s.Secret:
		return slog.String(s.YAML, mask(v))
	case v.Kind() == reflect.Bool:
		return slog.Bool(s.YAML, v.Bool())
	case v.Kind() == reflect.Int || (v.Kind() == reflect.Int64 && v.Type() != reflect.TypeFor[time.Duration]()):
		return slog.Int64(s.YAML, v.Int())
	default:
		return slog.String(s.YAML, formatText(v))
	}
}

// mask returns "***" for a set secret and "" for an empty one.
func mask(v reflect.Value) string {
	if v.IsZero() {
		return ""
	}
	return "***"
}

// MarkdownTable renders Settings as a Markdown table for the README.
func MarkdownTable() string {
	var b strings.Builder
	b.WriteString("| Variable | YAML key | Default | Meaning |\n")
	b.WriteString("|---|---|---|---|\n")
	for _, s := range Settings() {
		fmt.Fprintf(&b, "| `%s` | `%s` | %s | %s |\n", s.Env, s.YAML, markdownDefault(s.Default), markdownMeaning(s))
	}
	return b.String()
}

// markdownDefault renders a default as code, or leaves the cell empty when there is none.
func markdownDefault(def string) string {
	if def == "" {
		return ""
	}
	return "`" + escapeCell(def) + "`"
}

// markdownMeaning renders the description, marking secrets.
func markdownMeaning(s Setting) string {
	if s.Secret {
		return escapeCell(s.Description) + " Secret: never logged."
	}
	return escapeCell(s.Description)
}

// escapeCell keeps a pipe from ending a Markdown table cell.
func escapeCell(s string) string {
	return strings.ReplaceAll(s, "|", `\|`)
}
