// Package config loads gridbot's settings from defaults, an optional YAML file and GRIDBOT_* environment variables.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	// Embedded so that TIMEZONE loads even on images without /usr/share/zoneinfo.
	_ "time/tzdata"

	"gopkg.in/yaml.v3"

	"gridbot/workcal"
)

// Database drivers accepted by GRIDBOT_DB_DRIVER.
const (
	DriverSQLite = "sqlite"
	DriverMySQL  = "mysql"
)

// Migration modes accepted by GRIDBOT_DB_MIGRATE.
const (
	MigrateAuto  = "auto"
	MigrateApply = "apply"
	MigrateCheck = "check"
)

// Media stores accepted by GRIDBOT_MEDIA_STORE.
const (
	MediaStoreDir = "dir"
	MediaStoreS3  = "s3"
)

// Modes accepted by GRIDBOT_DB_SKIP_LOCKED.
const (
	SkipLockedAuto = "auto"
	SkipLockedOff  = "off"
)

// Config holds every setting of the service; each field is one setting described by its tags.
//
// Tags: env is the variable name without the GRIDBOT_ prefix, yaml the file key, default the value
// used when neither the file nor the environment sets it, defaultdoc the default shown in the
// documentation when it is computed, secret marks values never logged, desc the documentation line.
type Config struct {
	// HTTP server.
	HTTPAddr         string        `env:"HTTP_ADDR" yaml:"http_addr" default:":8080" desc:"Address the HTTP server listens on, as host:port."`
	HTTPReadTimeout  time.Duration `env:"HTTP_READ_TIMEOUT" yaml:"http_read_timeout" default:"10s" desc:"Longest time to read a whole request, body included."`
	HTTPWriteTimeout time.Duration `env:"HTTP_WRITE_TIMEOUT" yaml:"http_write_timeout" default:"15s" desc:"Longest time to write a response."`
	HTTPIdleTimeout  time.Duration `env:"HTTP_IDLE_TIMEOUT" yaml:"http_idle_timeout" default:"60s" desc:"How long an idle keep-alive connection stays open."`
	ShutdownTimeout  time.Duration `env:"SHUTDOWN_TIMEOUT" yaml:"shutdown_timeout" default:"20s" desc:"How long a graceful stop waits for requests and workers to drain."`
	DebugAddr        string        `env:"DEBUG_ADDR" yaml:"debug_addr" default:"" desc:"If set, serves Go's profiler (/debug/pprof/) on this address, apart from the service; keep it on 127.0.0.1."`
	HTTPMaxBodyBytes int64         `env:"HTTP_MAX_BODY_BYTES" yaml:"http_max_body_bytes" default:"1048576" desc:"Largest API request body accepted, in bytes."`

	// Database.
	DBDriver       string `env:"DB_DRIVER" yaml:"db_driver" default:"sqlite" desc:"Database driver: sqlite (embedded file) or mysql."`
	DBDSN          string `env:"DB_DSN" yaml:"db_dsn" defaultdoc:"<data_dir>/gridbot.db" secret:"true" desc:"Database DSN: the SQLite file path (default gridbot.db in the data directory), or the MySQL DSN (required with mysql)."`
	DBMaxOpenConns int    `env:"DB_MAX_OPEN_CONNS" yaml:"db_max_open_conns" default:"20" desc:"Most open database connections (at least 1)."`
	DBMigrate      string `env:"DB_MIGRATE" yaml:"db_migrate" default:"auto" desc:"Schema migrations at start: apply, check (refuse to start if pending), or auto (apply on SQLite, check on MySQL)."`
	DBSkipLocked   string `env:"DB_SKIP_LOCKED" yaml:"db_skip_locked" default:"auto" desc:"Notification claims read with SELECT … FOR UPDATE SKIP LOCKED: auto (where the server honours it: MySQL 8, MariaDB 10.6+, not TiDB) or off (a MySQL-compatible engine that accepts it without locking; the claims stay exact, only slower under contention)."`

	// Redis.
	RedisURL       string `env:"REDIS_URL" yaml:"redis_url" secret:"true" desc:"Redis URL (redis:// or rediss://); empty runs an embedded Redis-compatible server in-process."`
	RedisKeyPrefix string `env:"REDIS_KEY_PREFIX" yaml:"redis_key_prefix" default:"gridbot:" desc:"Prefix of every Redis key, so several deployments can share one Redis."`

	// Files, time and logs.
	DataDir     string `env:"DATA_DIR" yaml:"data_dir" default:"./data" desc:"Directory for media files (with GRIDBOT_MEDIA_STORE=dir) and, by default, the SQLite database."`
	MediaStore  string `env:"MEDIA_STORE" yaml:"media_store" default:"dir" desc:"Where photos and voice are kept: dir (files under the data directory, one instance) or s3 (an S3-compatible bucket shared by every instance: MinIO, OSS, COS)."`
	S3Endpoint  string `env:"S3_ENDPOINT" yaml:"s3_endpoint" desc:"URL of the S3-compatible server with no path, such as https://oss-cn-hangzhou.aliyuncs.com or http://minio:9000; https uses TLS. Required with s3."`
	S3Bucket    string `env:"S3_BUCKET" yaml:"s3_bucket" desc:"Bucket that holds the media (it must exist). Required with s3."`
	S3AccessKey string `env:"S3_ACCESS_KEY" yaml:"s3_access_key" secret:"true" desc:"Access key id of the object store. Required with s3."`
	S3SecretKey string `env:"S3_SECRET_KEY" yaml:"s3_secret_key" secret:"true" desc:"Secret access key of the object store. Required with s3."`
	S3Region    string `env:"S3_REGION" yaml:"s3_region" desc:"Region of the bucket, such as cn-hangzhou; empty asks the server."`
	S3Prefix    string `env:"S3_PREFIX" yaml:"s3_prefix" desc:"Put before every object name, such as county-a/, so several deployments can share one bucket."`
	Timezone    string `env:"TIMEZONE" yaml:"timezone" default:"Asia/Shanghai" desc:"IANA time zone for deadlines, working days and dates shown to people."`
	LogLevel    string `env:"LOG_LEVEL" yaml:"log_level" default:"info" desc:"Lowest log level written: debug, info, warn or error."`
	LogFormat   string `env:"LOG_FORMAT" yaml:"log_format" default:"json" desc:"Log format: json or text."`

	// Behaviour.
	SampleCounty   bool          `env:"SAMPLE_COUNTY" yaml:"sample_county" default:"true" desc:"Import the bundled sample county when serve starts on an empty embedded SQLite database; ignored with mysql."`
	BindingCodeTTL time.Duration `env:"BINDING_CODE_TTL" yaml:"binding_code_ttl" default:"336h" desc:"How long a binding code handed out to a person stays valid."`

	// The WeChat gateway and conversations.
	WeChatTimestampWindow time.Duration `env:"WECHAT_TIMESTAMP_WINDOW" yaml:"wechat_timestamp_window" default:"300s" desc:"Callbacks whose timestamp is further than this from now are refused (403); nonces are remembered this long to catch replays."`
	WeChatMaxBodyBytes    int64         `env:"WECHAT_MAX_BODY_BYTES" yaml:"wechat_max_body_bytes" default:"65536" desc:"Largest callback body accepted, in bytes (413 above)."`
	WeChatReplyBudget     time.Duration `env:"WECHAT_REPLY_BUDGET" yaml:"wechat_reply_budget" default:"3s" desc:"How long a callback may work on its answer; later replies go out as customer-service messages (WeChat waits 5 s)."`
	InboxWorkers          int           `env:"INBOX_WORKERS" yaml:"inbox_workers" default:"64" desc:"Most inbound messages processed at once."`
	MediaWorkers          int           `env:"MEDIA_WORKERS" yaml:"media_workers" default:"4" desc:"Workers that download photos and voice from WeChat as they arrive."`
	ConversationIdle      time.Duration `env:"CONVERSATION_IDLE" yaml:"conversation_idle" default:"30m" desc:"A conversation with no message for this long expires; the person is told when they next write."`
	PlaceRadiusMeters     int           `env:"PLACE_RADIUS_METERS" yaml:"place_radius_meters" default:"1500" desc:"A location outside every grid boundary is placed in the nearest village whose centre is within this distance."`
	DuplicateRadiusMeters int           `env:"DUPLICATE_RADIUS_METERS" yaml:"duplicate_radius_meters" default:"200" desc:"A new report of the same matter within this distance of an open case is offered to follow that case instead (0 turns it off)."`
	WorkingHours          string        `env:"WORKING_HOURS" yaml:"working_hours" default:"08:30-12:00,14:30-17:30" desc:"Working periods of a working day, on which deadlines are counted (statutory holidays and 调休 days come from the calendar)."`
	UnratedAfterDays      int           `env:"UNRATED_AFTER_DAYS" yaml:"unrated_after_days" default:"7" desc:"A closed case without a rating after this many days is counted as unrated."`
	NotifyWorkers         int           `env:"NOTIFY_WORKERS" yaml:"notify_workers" default:"8" desc:"Workers that deliver notifications from the outbox."`
	NotifyRateGlobal      int           `env:"NOTIFY_RATE_GLOBAL" yaml:"notify_rate_global" default:"1000" desc:"Most notifications sent per second by all instances together (shared through Redis)."`
	NotifyRatePerPerson   int           `env:"NOTIFY_RATE_PER_PERSON" yaml:"notify_rate_per_person" default:"20" desc:"Most notifications sent to one person per minute."`
	NotifyCaseURL         string        `env:"NOTIFY_CASE_URL" yaml:"notify_case_url" desc:"A tap on a template or WeCom message opens this URL followed by the tracking number (empty: no link)."`
	WeChatTemplates       string        `env:"WECHAT_TEMPLATES" yaml:"wechat_templates" desc:"Template message ids per notification kind, as kind=TEMPLATE_ID pairs separated by commas (e.g. case_status=AbC...,case_dispatched=XyZ...); kinds without one are reported at start."`
	WeChatTemplateFields  string        `env:"WECHAT_TEMPLATE_FIELDS" yaml:"wechat_template_fields" desc:"Fields of category templates (类目模板) per notification kind: kind: field=source, ... separated by ; (e.g. case_status: character_string1=tracking_no, thing2=matter, phrase3=status); a field's type is the start of its name or given as field(type)=source; values are cut to their type's limit. Kinds without it get first/keyword1.../remark."`
	WeChatQuotaCustomer   int64         `env:"WECHAT_QUOTA_CUSTOMER" yaml:"wechat_quota_customer" default:"500000" desc:"Customer-service messages the Official Account may send a day (WeChat's quota); beyond it notices go as templates. A warning is logged at 80 %."`
	WeChatQuotaTemplate   int64         `env:"WECHAT_QUOTA_TEMPLATE" yaml:"wechat_quota_template" default:"100000" desc:"Template messages the Official Account may send a day (100,000 by default, more with many followers); beyond it notices wait for the next day (GRIDBOT_TIMEZONE). A warning is logged at 80 %."`
	WeChatQuotaToken      int64         `env:"WECHAT_QUOTA_TOKEN" yaml:"wechat_quota_token" default:"2000" desc:"Access-token fetches allowed a day; fetches are counted and a warning logged at 80 % (the fetch is never held back)."`
	BindFailuresPerHour   int           `env:"BIND_FAILURES_PER_HOUR" yaml:"bind_failures_per_hour" default:"5" desc:"Wrong binding codes one WeChat user may try per hour before binding is refused."`

	// WeChat Official Account.
	WeChatAppID   string `env:"WECHAT_APPID" yaml:"wechat_appid" desc:"Official Account AppID."`
	WeChatSecret  string `env:"WECHAT_SECRET" yaml:"wechat_secret" secret:"true" desc:"Official Account AppSecret."`
	WeChatToken   string `env:"WECHAT_TOKEN" yaml:"wechat_token" secret:"true" desc:"Official Account server Token used to sign webhook calls."`
	WeChatAESKey  string `env:"WECHAT_AES_KEY" yaml:"wechat_aes_key" secret:"true" desc:"Official Account EncodingAESKey (43 characters) for safe mode; empty for plain mode."`
	WeChatAPIBase string `env:"WECHAT_API_BASE" yaml:"wechat_api_base" default:"https://api.weixin.qq.com" desc:"Base URL of Official Account API calls; point it at a simulator in tests."`

	// WeCom (企业微信) app.
	WeComCorpID  string `env:"WECOM_CORPID" yaml:"wecom_corpid" desc:"WeCom CorpID."`
	WeComAgentID string `env:"WECOM_AGENTID" yaml:"wecom_agentid" desc:"WeCom AgentID of the gridbot app (digits)."`
	WeComSecret  string `env:"WECOM_SECRET" yaml:"wecom_secret" secret:"true" desc:"WeCom app Secret."`
	WeComToken   string `env:"WECOM_TOKEN" yaml:"wecom_token" secret:"true" desc:"WeCom callback Token used to sign webhook calls."`
	WeComAESKey  string `env:"WECOM_AES_KEY" yaml:"wecom_aes_key" secret:"true" desc:"WeCom callback EncodingAESKey (43 characters)."`
	WeComAPIBase string `env:"WECOM_API_BASE" yaml:"wecom_api_base" default:"https://qyapi.weixin.qq.com" desc:"Base URL of WeCom API calls; point it at a simulator in tests."`

	loc *time.Location
}

// Load builds the configuration from defaults, the optional YAML file (path "" = none) and the environment (getenv, e.g. os.Getenv).
func Load(file string, getenv func(string) string) (Config, error) {
	c, err := defaults()
	if err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	if file != "" {
		if err := readFile(file, &c); err != nil {
			return Config{}, fmt.Errorf("config: %w", err)
		}
	}
	p := applyEnv(&c, getenv)
	c.deriveDefaults()
	p = p.merge(c.problems())
	if len(p) > 0 {
		return Config{}, fmt.Errorf("config: invalid settings:\n%w", p)
	}
	c.loc, err = time.LoadLocation(c.Timezone)
	if err != nil {
		return Config{}, fmt.Errorf("config: load time zone: %w", err)
	}
	return c, nil
}

// readFile decodes the YAML file at path onto c, rejecting keys that match no setting.
func readFile(path string, c *Config) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read file: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("parse %s: %w", path, err)
	}
	return nil
}

// deriveDefaults fills the defaults that depend on other settings.
func (c *Config) deriveDefaults() {
	if c.DBDSN == "" && c.DBDriver == DriverSQLite {
		c.DBDSN = filepath.Join(c.DataDir, "gridbot.db")
	}
	c.WeChatAPIBase = strings.TrimRight(c.WeChatAPIBase, "/")
	c.WeComAPIBase = strings.TrimRight(c.WeComAPIBase, "/")
}

// Location returns the parsed time zone, or UTC when the Config was not built by Load and its zone is invalid.
func (c Config) Location() *time.Location {
	if c.loc != nil {
		return c.loc
	}
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// WeChatConfigured reports whether the Official Account AppID, AppSecret and Token are all set.
func (c Config) WeChatConfigured() bool {
	return c.WeChatAppID != "" && c.WeChatSecret != "" && c.WeChatToken != ""
}

// WeComConfigured reports whether the WeCom CorpID, AgentID, Secret and Token are all set.
func (c Config) WeComConfigured() bool {
	return c.WeComCorpID != "" && c.WeComAgentID != "" && c.WeComSecret != "" && c.WeComToken != ""
}

// ApplyMigrations reports whether start-up applies pending migrations (true) or only checks for them (false).
func (c Config) ApplyMigrations() bool {
	switch c.DBMigrate {
	case MigrateApply:
		return true
	case MigrateAuto:
		return c.DBDriver == DriverSQLite
	default:
		return false
	}
}

// ImportSampleCounty reports whether serve may import the sample county, which it does only into an empty SQLite database.
func (c Config) ImportSampleCounty() bool {
	return c.SampleCounty && c.DBDriver == DriverSQLite
}

// SlogLevel returns LogLevel as a slog.Level, or slog.LevelInfo for an unknown level.
func (c Config) SlogLevel() slog.Level {
	switch c.LogLevel {
	case "debug":
		return slog.LevelDebug
	case "warn":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	default:
		return slog.LevelInfo
	}
}

// FieldError is one wrong setting: the variable it concerns and what is wrong, never a secret's value.
type FieldError struct {
	Variable string // the environment variable, such as GRIDBOT_DB_DRIVER
	Problem  string // what is wrong and what is accepted
}

// Error returns the problem as "GRIDBOT_NAME: problem".
func (e FieldError) Error() string {
	return e.Variable + ": " + e.Problem
}

// problems lists every wrong setting of a configuration; its error text has one line per field.
type problems []FieldError

// Error returns one line per wrong setting.
func (p problems) Error() string {
	lines := make([]string, len(p))
	for i, e := range p {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap exposes each FieldError to errors.As.
func (p problems) Unwrap() []error {
	errs := make([]error, len(p))
	for i, e := range p {
		errs[i] = e
	}
	return errs
}

// err returns p as an error, or nil when it is empty.
func (p problems) err() error {
	if len(p) == 0 {
		return nil
	}
	return p
}

// merge adds the problems of more whose variable p does not already report, in field order.
func (p problems) merge(more problems) problems {
	for _, e := range more {
		if !slices.ContainsFunc(p, func(have FieldError) bool { return have.Variable == e.Variable }) {
			p = append(p, e)
		}
	}
	order := Settings()
	position := func(e FieldError) int {
		return slices.IndexFunc(order, func(s Setting) bool { return s.Env == e.Variable })
	}
	slices.SortStableFunc(p, func(a, b FieldError) int { return position(a) - position(b) })
	return p
}

// Validate checks every setting and returns all problems found, one line per wrong field, or nil.
func (c Config) Validate() error {
	return c.problems().err()
}

// problems runs one check per setting and collects the failures in field order.
func (c Config) problems() problems {
	checks := []struct{ env, problem string }{
		{"HTTP_ADDR", checkAddr(c.HTTPAddr)},
		{"DEBUG_ADDR", checkOptionalAddr(c.DebugAddr)},
		{"HTTP_READ_TIMEOUT", checkPositive(c.HTTPReadTimeout)},
		{"HTTP_WRITE_TIMEOUT", checkPositive(c.HTTPWriteTimeout)},
		{"HTTP_IDLE_TIMEOUT", checkPositive(c.HTTPIdleTimeout)},
		{"SHUTDOWN_TIMEOUT", checkPositive(c.ShutdownTimeout)},
		{"HTTP_MAX_BODY_BYTES", checkAtLeastOne(c.HTTPMaxBodyBytes)},
		{"DB_DRIVER", checkOneOf(c.DBDriver, DriverSQLite, DriverMySQL)},
		{"DB_DSN", c.checkDSN()},
		{"DB_MAX_OPEN_CONNS", checkAtLeastOne(int64(c.DBMaxOpenConns))},
		{"DB_MIGRATE", checkOneOf(c.DBMigrate, MigrateAuto, MigrateApply, MigrateCheck)},
		{"DB_SKIP_LOCKED", checkOneOf(c.DBSkipLocked, SkipLockedAuto, SkipLockedOff)},
		{"REDIS_URL", checkRedisURL(c.RedisURL)},
		{"DATA_DIR", checkNotEmpty(c.DataDir)},
		{"MEDIA_STORE", checkOneOf(c.MediaStore, MediaStoreDir, MediaStoreS3)},
		{"S3_ENDPOINT", c.checkS3(checkEndpoint(c.S3Endpoint))},
		{"S3_BUCKET", c.checkS3(checkBucket(c.S3Bucket))},
		{"S3_ACCESS_KEY", c.checkS3(checkNotEmpty(c.S3AccessKey))},
		{"S3_SECRET_KEY", c.checkS3(checkNotEmpty(c.S3SecretKey))},
		{"S3_PREFIX", checkPrefix(c.S3Prefix)},
		{"TIMEZONE", checkTimezone(c.Timezone)},
		{"LOG_LEVEL", checkOneOf(c.LogLevel, "debug", "info", "warn", "error")},
		{"LOG_FORMAT", checkOneOf(c.LogFormat, "json", "text")},
		{"BINDING_CODE_TTL", checkPositive(c.BindingCodeTTL)},
		{"WECHAT_TIMESTAMP_WINDOW", checkPositive(c.WeChatTimestampWindow)},
		{"WECHAT_MAX_BODY_BYTES", checkAtLeastOne(c.WeChatMaxBodyBytes)},
		{"WECHAT_REPLY_BUDGET", checkBudget(c.WeChatReplyBudget)},
		{"INBOX_WORKERS", checkAtLeastOne(int64(c.InboxWorkers))},
		{"MEDIA_WORKERS", checkAtLeastOne(int64(c.MediaWorkers))},
		{"CONVERSATION_IDLE", checkPositive(c.ConversationIdle)},
		{"PLACE_RADIUS_METERS", checkAtLeastOne(int64(c.PlaceRadiusMeters))},
		{"BIND_FAILURES_PER_HOUR", checkAtLeastOne(int64(c.BindFailuresPerHour))},
		{"NOTIFY_WORKERS", checkAtLeastOne(int64(c.NotifyWorkers))},
		{"NOTIFY_RATE_GLOBAL", checkAtLeastOne(int64(c.NotifyRateGlobal))},
		{"NOTIFY_RATE_PER_PERSON", checkAtLeastOne(int64(c.NotifyRatePerPerson))},
		{"WECHAT_TEMPLATES", checkTemplates(c.WeChatTemplates)},
		{"WECHAT_QUOTA_CUSTOMER", checkAtLeastOne(c.WeChatQuotaCustomer)},
		{"WECHAT_QUOTA_TEMPLATE", checkAtLeastOne(c.WeChatQuotaTemplate)},
		{"WECHAT_QUOTA_TOKEN", checkAtLeastOne(c.WeChatQuotaToken)},
		{"DUPLICATE_RADIUS_METERS", checkNotNegative(int64(c.DuplicateRadiusMeters))},
		{"WORKING_HOURS", checkPeriods(c.WorkingHours)},
		{"UNRATED_AFTER_DAYS", checkAtLeastOne(int64(c.UnratedAfterDays))},
		{"WECHAT_AES_KEY", checkAESKey(c.WeChatAESKey)},
		{"WECHAT_API_BASE", checkAPIBase(c.WeChatAPIBase)},
		{"WECOM_AGENTID", checkDigits(c.WeComAgentID)},
		{"WECOM_AES_KEY", checkAESKey(c.WeComAESKey)},
		{"WECOM_API_BASE", checkAPIBase(c.WeComAPIBase)},
	}
	var p problems
	for _, ch := range checks {
		if ch.problem != "" {
			p = append(p, FieldError{Variable: envPrefix + ch.env, Problem: ch.problem})
		}
	}
	return p
}

// checkTemplates requires kind=id pairs separated by commas.
func checkTemplates(s string) string {
	if _, err := ParseTemplates(s); err != nil {
		return err.Error()
	}
	return ""
}

// ParseTemplates reads "kind=id,kind=id" into a map.
func ParseTemplates(s string) (map[string]string, error) {
	out := map[string]string{}
	for _, pair := range strings.Split(s, ",") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		kind, id, ok := strings.Cut(pair, "=")
		if !ok || strings.TrimSpace(kind) == "" || strings.TrimSpace(id) == "" {
			return nil, fmt.Errorf("must be kind=TEMPLATE_ID pairs separated by commas, got %q", pair)
		}
		out[strings.TrimSpace(kind)] = strings.TrimSpace(id)
	}
	return out, nil
}

// checkNotNegative requires zero or more.
func checkNotNegative(n int64) string {
	if n >= 0 {
		return ""
	}
	return fmt.Sprintf("must not be negative, got %d", n)
}

// checkPeriods requires working periods such as "08:30-12:00,14:30-17:30".
func checkPeriods(s string) string {
	if _, err := workcal.ParsePeriods(s); err != nil {
		return fmt.Sprintf(`must be working periods such as "08:30-12:00,14:30-17:30", got %q`, s)
	}
	return ""
}

// checkBudget requires a reply budget that leaves WeChat's 5 s room for the answer to travel.
func checkBudget(d time.Duration) string {
	if d > 0 && d <= 4500*time.Millisecond {
		return ""
	}
	return fmt.Sprintf("must be greater than zero and at most 4.5s (WeChat waits 5 s), got %q", d.String())
}

// checkAddr requires a host:port listen address with a numeric port.
func checkAddr(addr string) string {
	_, port, err := net.SplitHostPort(addr)
	if err == nil {
		if n, err := strconv.Atoi(port); err == nil && n >= 0 && n <= 65535 {
			return ""
		}
	}
	return fmt.Sprintf(`must be host:port such as ":8080", got %q`, addr)
}

// checkOptionalAddr accepts an empty address (off) or host:port.
func checkOptionalAddr(addr string) string {
	if addr == "" {
		return ""
	}
	return checkAddr(addr)
}

// checkPositive requires a duration greater than zero.
func checkPositive(d time.Duration) string {
	if d > 0 {
		return ""
	}
	return fmt.Sprintf("must be greater than zero, got %q", d.String())
}

// checkAtLeastOne requires a number of at least 1.
func checkAtLeastOne(n int64) string {
	if n >= 1 {
		return ""
	}
	return fmt.Sprintf("must be at least 1, got %d", n)
}

// checkOneOf requires got to be one of the allowed values.
func checkOneOf(got string, allowed ...string) string {
	if slices.Contains(allowed, got) {
		return ""
	}
	quoted := make([]string, len(allowed))
	for i, a := range allowed {
		quoted[i] = strconv.Quote(a)
	}
	last := len(quoted) - 1
	list := strings.Join(quoted[:last], ", ") + " or " + quoted[last]
	return fmt.Sprintf("must be %s, got %q", list, got)
}

// checkDSN requires a DSN with mysql; the value is secret and never shown.
func (c Config) checkDSN() string {
	if c.DBDSN != "" {
		return ""
	}
	switch c.DBDriver {
	case DriverMySQL:
		return `required when GRIDBOT_DB_DRIVER is "mysql"`
	case DriverSQLite:
		return "must not be empty"
	default:
		return "" // the driver itself is reported
	}
}

// checkRedisURL accepts an empty URL or a redis:// or rediss:// URL with a host; the value is secret and never shown.
func checkRedisURL(raw string) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err == nil && (u.Scheme == "redis" || u.Scheme == "rediss") && u.Host != "" {
		return ""
	}
	return "must be empty or a redis:// or rediss:// URL with a host"
}

// checkNotEmpty requires a non-empty value.
func checkNotEmpty(s string) string {
	if s != "" {
		return ""
	}
	return "must not be empty"
}

// checkTimezone requires a zone name that time.LoadLocation knows.
func checkTimezone(name string) string {
	if name != "" {
		if _, err := time.LoadLocation(name); err == nil {
			return ""
		}
	}
	return fmt.Sprintf(`must be an IANA time zone such as "Asia/Shanghai", got %q`, name)
}

// checkAESKey accepts an empty key or 43 characters of the base64 alphabet; the value is secret and never shown.
func checkAESKey(key string) string {
	if key == "" || (len(key) == 43 && strings.Trim(key, base64Alphabet) == "") {
		return ""
	}
	return "must be exactly 43 characters of the base64 alphabet (A-Z, a-z, 0-9, +, /)"
}

// base64Alphabet is the standard base64 alphabet without padding.
const base64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// checkAPIBase requires an absolute http(s) URL with nothing after the host.
func checkAPIBase(raw string) string {
	u, err := url.Parse(raw)
	if err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" &&
		u.User == nil && (u.Path == "" || u.Path == "/") && u.RawQuery == "" && u.Fragment == "" {
		return ""
	}
	return fmt.Sprintf(`must be an absolute http(s) URL with no path, such as "https://api.weixin.qq.com", got %q`, raw)
}

// checkS3 reports problem only when the media store is s3; the S3 settings are ignored otherwise.
func (c Config) checkS3(problem string) string {
	if c.MediaStore != MediaStoreS3 || problem == "" {
		return ""
	}
	if problem == "must not be empty" {
		return `required when GRIDBOT_MEDIA_STORE is "s3"`
	}
	return problem
}

// checkEndpoint requires an absolute http(s) URL with nothing after the host.
func checkEndpoint(raw string) string {
	if raw == "" {
		return "must not be empty"
	}
	if checkAPIBase(raw) == "" {
		return ""
	}
	return fmt.Sprintf(`must be an absolute http(s) URL with no path, such as "https://oss-cn-hangzhou.aliyuncs.com" or "http://minio:9000", got %q`, raw)
}

// checkBucket requires an S3 bucket name: 3 to 63 lowercase letters, digits, dots and hyphens,
// starting and ending with a letter or digit.
func checkBucket(name string) string {
	if name == "" {
		return "must not be empty"
	}
	ok := len(name) >= 3 && len(name) <= 63 && strings.Trim(name, "abcdefghijklmnopqrstuvwxyz0123456789.-") == "" &&
		!strings.ContainsAny(name[:1]+name[len(name)-1:], ".-") && !strings.Contains(name, "..")
	if ok {
		return ""
	}
	return fmt.Sprintf("must be 3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit, got %q", name)
}

// checkPrefix accepts an empty prefix or slash-separated names without "." or ".." parts.
func checkPrefix(p string) string {
	trimmed := strings.Trim(p, "/")
	if trimmed == "" || fs.ValidPath(trimmed) {
		return ""
	}
	return fmt.Sprintf(`must be empty or names separated by "/" such as "county-a/", without "." or ".." parts, got %q`, p)
}

// checkDigits accepts an empty value or decimal digits only.
func checkDigits(s string) string {
	if strings.Trim(s, "0123456789") == "" {
		return ""
	}
	return fmt.Sprintf("must be digits only, got %q", s)
}
