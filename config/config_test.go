package config

import (
	"bytes"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// env returns a getenv reading from m.
func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// writeFile writes a YAML file into a temporary directory and returns its path.
func writeFile(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "gridbot.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// mustLoad loads a configuration that the test expects to be valid.
func mustLoad(t *testing.T, file string, vars map[string]string) Config {
	t.Helper()
	c, err := Load(file, env(vars))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return c
}

// defaultConfig is what Load returns with no file and no environment.
func defaultConfig() Config {
	return Config{
		HTTPAddr:              ":8080",
		HTTPReadTimeout:       10 * time.Second,
		HTTPWriteTimeout:      15 * time.Second,
		HTTPIdleTimeout:       60 * time.Second,
		ShutdownTimeout:       20 * time.Second,
		HTTPMaxBodyBytes:      1 << 20,
		DBDriver:              "sqlite",
		DBDSN:                 filepath.Join("data", "gridbot.db"),
		DBMaxOpenConns:        20,
		DBMigrate:             "auto",
		DBSkipLocked:          "auto",
		RedisKeyPrefix:        "gridbot:",
		DataDir:               "./data",
		MediaStore:            "dir",
		Timezone:              "Asia/Shanghai",
		LogLevel:              "info",
		LogFormat:             "json",
		SampleCounty:          true,
		BindingCodeTTL:        336 * time.Hour,
		WeChatTimestampWindow: 300 * time.Second,
		WeChatMaxBodyBytes:    64 << 10,
		WeChatReplyBudget:     3 * time.Second,
		InboxWorkers:          64,
		MediaWorkers:          4,
		ConversationIdle:      30 * time.Minute,
		PlaceRadiusMeters:     1500,
		BindFailuresPerHour:   5,
		DuplicateRadiusMeters: 200,
		WorkingHours:          "08:30-12:00,14:30-17:30",
		UnratedAfterDays:      7,
		NotifyWorkers:         8,
		NotifyRateGlobal:      1000,
		NotifyRatePerPerson:   20,
		WeChatQuotaCustomer:   500_000,
		WeChatQuotaTemplate:   100_000,
		WeChatQuotaToken:      2_000,
		WeChatAPIBase:         "https://api.weixin.qq.com",
		WeComAPIBase:          "https://qyapi.weixin.qq.com",
	}
}

func TestLoad(t *testing.T) {
	const file = `
http_addr: "127.0.0.1:9000"
http_read_timeout: 5s
db_driver: mysql
db_dsn: "u:p@tcp(db:3306)/gridbot"
db_max_open_conns: 7
sample_county: false
timezone: UTC
wechat_appid: wxfile
wechat_api_base: "http://sim:8081/"
`
	tests := []struct {
		name string
		file string
		env  map[string]string
		want func(*Config)
	}{
		{name: "defaults", want: func(*Config) {}},
		{name: "empty file", file: "\n", want: func(*Config) {}},
		{
			name: "file only",
			file: file,
			want: func(c *Config) {
				c.HTTPAddr = "127.0.0.1:9000"
				c.HTTPReadTimeout = 5 * time.Second
				c.DBDriver = "mysql"
				c.DBDSN = "u:p@tcp(db:3306)/gridbot"
				c.DBMaxOpenConns = 7
				c.SampleCounty = false
				c.Timezone = "UTC"
				c.WeChatAppID = "wxfile"
				c.WeChatAPIBase = "http://sim:8081"
			},
		},
		{
			name: "env overrides file",
			file: file,
			env: map[string]string{
				"GRIDBOT_HTTP_READ_TIMEOUT":   "1m30s",
				"GRIDBOT_DB_MAX_OPEN_CONNS":   "3",
				"GRIDBOT_SAMPLE_COUNTY":       "true",
				"GRIDBOT_WECHAT_APPID":        "wxenv",
				"GRIDBOT_HTTP_MAX_BODY_BYTES": "2048",
				"GRIDBOT_UNRELATED":           "ignored",
			},
			want: func(c *Config) {
				c.HTTPAddr = "127.0.0.1:9000"
				c.HTTPReadTimeout = 90 * time.Second
				c.DBDriver = "mysql"
				c.DBDSN = "u:p@tcp(db:3306)/gridbot"
				c.DBMaxOpenConns = 3
				c.HTTPMaxBodyBytes = 2048
				c.Timezone = "UTC"
				c.WeChatAppID = "wxenv"
				c.WeChatAPIBase = "http://sim:8081"
			},
		},
		{
			name: "sqlite dsn follows data dir",
			env:  map[string]string{"GRIDBOT_DATA_DIR": "/data"},
			want: func(c *Config) {
				c.DataDir = "/data"
				c.DBDSN = "/data/gridbot.db"
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := ""
			if tt.file != "" {
				path = writeFile(t, tt.file)
			}
			got := mustLoad(t, path, tt.env)
			want := defaultConfig()
			tt.want(&want)
			if diff := cmp.Diff(want, got, cmpopts.IgnoreUnexported(Config{})); diff != "" {
				t.Errorf("Load mismatch (-want +got):\n%s", diff)
			}
			if got.Location().String() != want.Timezone {
				t.Errorf("Location() = %q, want %q", got.Location(), want.Timezone)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name string
		file string
		env  map[string]string
		want string
	}{
		{
			name: "bad duration",
			env:  map[string]string{"GRIDBOT_HTTP_READ_TIMEOUT": "ten"},
			want: "config: invalid settings:\n" +
				`GRIDBOT_HTTP_READ_TIMEOUT: must be a duration such as "10s", "1m30s" or "336h", got "ten"`,
		},
		{
			name: "bad int and bool together",
			env:  map[string]string{"GRIDBOT_DB_MAX_OPEN_CONNS": "many", "GRIDBOT_SAMPLE_COUNTY": "yes please"},
			want: "config: invalid settings:\n" +
				`GRIDBOT_DB_MAX_OPEN_CONNS: must be a whole number, got "many"` + "\n" +
				`GRIDBOT_SAMPLE_COUNTY: must be true or false, got "yes please"`,
		},
		{
			name: "int64 overflow",
			env:  map[string]string{"GRIDBOT_HTTP_MAX_BODY_BYTES": "99999999999999999999"},
			want: "config: invalid settings:\n" +
				`GRIDBOT_HTTP_MAX_BODY_BYTES: must be a whole number, got "99999999999999999999"`,
		},
		{
			name: "parse and validation problems together, one line per field",
			file: "db_max_open_conns: 0\n",
			env:  map[string]string{"GRIDBOT_DB_MAX_OPEN_CONNS": "x", "GRIDBOT_DB_DRIVER": "postgres"},
			want: "config: invalid settings:\n" +
				`GRIDBOT_DB_DRIVER: must be "sqlite" or "mysql", got "postgres"` + "\n" +
				`GRIDBOT_DB_MAX_OPEN_CONNS: must be a whole number, got "x"`,
		},
		{
			name: "mysql without dsn",
			env:  map[string]string{"GRIDBOT_DB_DRIVER": "mysql"},
			want: "config: invalid settings:\n" +
				`GRIDBOT_DB_DSN: required when GRIDBOT_DB_DRIVER is "mysql"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := ""
			if tt.file != "" {
				path = writeFile(t, tt.file)
			}
			_, err := Load(path, env(tt.env))
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("error mismatch (-want +got):\n%s", diff)
			}
			var fe FieldError
			if !errors.As(err, &fe) {
				t.Errorf("errors.As(%v, FieldError) = false", err)
			}
		})
	}
}

func TestLoadFileErrors(t *testing.T) {
	tests := []struct {
		name string
		file string
		want []string
	}{
		{name: "unknown key", file: "http_addr: \":1\"\n\nhttp_adress: \":2\"\n", want: []string{"line 3", "http_adress"}},
		{name: "wrong type", file: "db_max_open_conns: lots\n", want: []string{"line 1", "lots"}},
		{name: "duration without unit", file: "shutdown_timeout: 20\n", want: []string{"line 1", "time.Duration"}},
		{name: "not a mapping", file: "- a\n- b\n", want: []string{"line 1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, tt.file)
			_, err := Load(path, env(nil))
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			for _, w := range append(tt.want, "config: parse "+path) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
	t.Run("missing file", func(t *testing.T) {
		_, err := Load(filepath.Join(t.TempDir(), "none.yaml"), env(nil))
		if !errors.Is(err, os.ErrNotExist) {
			t.Errorf("Load error = %v, want os.ErrNotExist", err)
		}
	})
}

// setS3 configures a complete S3 media store.
func setS3(c *Config) {
	c.MediaStore, c.S3Endpoint, c.S3Bucket = "s3", "http://minio:9000", "gridbot-media"
	c.S3AccessKey, c.S3SecretKey = "AKIAEXAMPLE", "s3-secret-value"
}

func TestValidate(t *testing.T) {
	const key43 = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJK0123+/"
	tests := []struct {
		name   string
		change func(*Config)
		want   string // "" means valid
	}{
		{name: "defaults", change: func(*Config) {}},
		{name: "mysql with dsn", change: func(c *Config) { c.DBDriver, c.DBDSN = "mysql", "u:p@tcp(h)/d" }},
		{name: "redis url", change: func(c *Config) { c.RedisURL = "rediss://:pw@redis:6380/2" }},
		{name: "aes keys", change: func(c *Config) { c.WeChatAESKey, c.WeComAESKey = key43, key43 }},
		{name: "api base with slash", change: func(c *Config) { c.WeChatAPIBase = "http://127.0.0.1:8081/" }},
		{name: "agent id", change: func(c *Config) { c.WeComAgentID = "1000002" }},
		{name: "port zero", change: func(c *Config) { c.HTTPAddr = "127.0.0.1:0" }},
		{
			name:   "http addr",
			change: func(c *Config) { c.HTTPAddr = "8080" },
			want:   `GRIDBOT_HTTP_ADDR: must be host:port such as ":8080", got "8080"`,
		},
		{
			name:   "http addr port",
			change: func(c *Config) { c.HTTPAddr = ":http" },
			want:   `GRIDBOT_HTTP_ADDR: must be host:port such as ":8080", got ":http"`,
		},
		{
			name:   "read timeout",
			change: func(c *Config) { c.HTTPReadTimeout = 0 },
			want:   `GRIDBOT_HTTP_READ_TIMEOUT: must be greater than zero, got "0s"`,
		},
		{
			name:   "write timeout",
			change: func(c *Config) { c.HTTPWriteTimeout = -time.Second },
			want:   `GRIDBOT_HTTP_WRITE_TIMEOUT: must be greater than zero, got "-1s"`,
		},
		{
			name:   "idle timeout",
			change: func(c *Config) { c.HTTPIdleTimeout = 0 },
			want:   `GRIDBOT_HTTP_IDLE_TIMEOUT: must be greater than zero, got "0s"`,
		},
		{
			name:   "shutdown timeout",
			change: func(c *Config) { c.ShutdownTimeout = 0 },
			want:   `GRIDBOT_SHUTDOWN_TIMEOUT: must be greater than zero, got "0s"`,
		},
		{
			name:   "max body bytes",
			change: func(c *Config) { c.HTTPMaxBodyBytes = 0 },
			want:   `GRIDBOT_HTTP_MAX_BODY_BYTES: must be at least 1, got 0`,
		},
		{
			name:   "db driver",
			change: func(c *Config) { c.DBDriver = "postgres" },
			want:   `GRIDBOT_DB_DRIVER: must be "sqlite" or "mysql", got "postgres"`,
		},
		{
			name:   "db dsn mysql",
			change: func(c *Config) { c.DBDriver, c.DBDSN = "mysql", "" },
			want:   `GRIDBOT_DB_DSN: required when GRIDBOT_DB_DRIVER is "mysql"`,
		},
		{
			name:   "db dsn sqlite",
			change: func(c *Config) { c.DBDSN = "" },
			want:   `GRIDBOT_DB_DSN: must not be empty`,
		},
		{
			name:   "max open conns",
			change: func(c *Config) { c.DBMaxOpenConns = 0 },
			want:   `GRIDBOT_DB_MAX_OPEN_CONNS: must be at least 1, got 0`,
		},
		{
			name:   "db migrate",
			change: func(c *Config) { c.DBMigrate = "yes" },
			want:   `GRIDBOT_DB_MIGRATE: must be "auto", "apply" or "check", got "yes"`,
		},
		{
			name:   "db skip locked",
			change: func(c *Config) { c.DBSkipLocked = "on" },
			want:   `GRIDBOT_DB_SKIP_LOCKED: must be "auto" or "off", got "on"`,
		},
		{
			name:   "redis url scheme",
			change: func(c *Config) { c.RedisURL = "http://redis:6379" },
			want:   `GRIDBOT_REDIS_URL: must be empty or a redis:// or rediss:// URL with a host`,
		},
		{
			name:   "redis url host",
			change: func(c *Config) { c.RedisURL = "redis:///0" },
			want:   `GRIDBOT_REDIS_URL: must be empty or a redis:// or rediss:// URL with a host`,
		},
		{
			name:   "data dir",
			change: func(c *Config) { c.DataDir = "" },
			want:   `GRIDBOT_DATA_DIR: must not be empty`,
		},
		{
			name:   "timezone",
			change: func(c *Config) { c.Timezone = "Mars/Olympus" },
			want:   `GRIDBOT_TIMEZONE: must be an IANA time zone such as "Asia/Shanghai", got "Mars/Olympus"`,
		},
		{
			name:   "timezone empty",
			change: func(c *Config) { c.Timezone = "" },
			want:   `GRIDBOT_TIMEZONE: must be an IANA time zone such as "Asia/Shanghai", got ""`,
		},
		{
			name:   "log level",
			change: func(c *Config) { c.LogLevel = "INFO" },
			want:   `GRIDBOT_LOG_LEVEL: must be "debug", "info", "warn" or "error", got "INFO"`,
		},
		{
			name:   "log format",
			change: func(c *Config) { c.LogFormat = "logfmt" },
			want:   `GRIDBOT_LOG_FORMAT: must be "json" or "text", got "logfmt"`,
		},
		{
			name:   "binding code ttl",
			change: func(c *Config) { c.BindingCodeTTL = 0 },
			want:   `GRIDBOT_BINDING_CODE_TTL: must be greater than zero, got "0s"`,
		},
		{
			name:   "wechat aes key length",
			change: func(c *Config) { c.WeChatAESKey = key43[:42] },
			want:   `GRIDBOT_WECHAT_AES_KEY: must be exactly 43 characters of the base64 alphabet (A-Z, a-z, 0-9, +, /)`,
		},
		{
			name:   "wechat aes key alphabet",
			change: func(c *Config) { c.WeChatAESKey = key43[:42] + "=" },
			want:   `GRIDBOT_WECHAT_AES_KEY: must be exactly 43 characters of the base64 alphabet (A-Z, a-z, 0-9, +, /)`,
		},
		{
			name:   "wechat api base path",
			change: func(c *Config) { c.WeChatAPIBase = "https://api.weixin.qq.com/cgi-bin" },
			want:   `GRIDBOT_WECHAT_API_BASE: must be an absolute http(s) URL with no path, such as "https://api.weixin.qq.com", got "https://api.weixin.qq.com/cgi-bin"`,
		},
		{
			name:   "wechat api base relative",
			change: func(c *Config) { c.WeChatAPIBase = "api.weixin.qq.com" },
			want:   `GRIDBOT_WECHAT_API_BASE: must be an absolute http(s) URL with no path, such as "https://api.weixin.qq.com", got "api.weixin.qq.com"`,
		},
		{
			name:   "wecom agent id",
			change: func(c *Config) { c.WeComAgentID = "10000x2" },
			want:   `GRIDBOT_WECOM_AGENTID: must be digits only, got "10000x2"`,
		},
		{
			name:   "wecom aes key",
			change: func(c *Config) { c.WeComAESKey = "short" },
			want:   `GRIDBOT_WECOM_AES_KEY: must be exactly 43 characters of the base64 alphabet (A-Z, a-z, 0-9, +, /)`,
		},
		{
			name:   "wecom api base scheme",
			change: func(c *Config) { c.WeComAPIBase = "ftp://qyapi.weixin.qq.com" },
			want:   `GRIDBOT_WECOM_API_BASE: must be an absolute http(s) URL with no path, such as "https://api.weixin.qq.com", got "ftp://qyapi.weixin.qq.com"`,
		},
		{
			name:   "template quota",
			change: func(c *Config) { c.WeChatQuotaTemplate = 0 },
			want:   `GRIDBOT_WECHAT_QUOTA_TEMPLATE: must be at least 1, got 0`,
		},
		{
			name:   "media store",
			change: func(c *Config) { c.MediaStore = "nfs" },
			want:   `GRIDBOT_MEDIA_STORE: must be "dir" or "s3", got "nfs"`,
		},
		{
			name:   "s3 settings ignored with dir",
			change: func(c *Config) { c.S3Endpoint, c.S3Bucket = "minio:9000", "A" },
			want:   "",
		},
		{
			name:   "s3 complete",
			change: func(c *Config) { setS3(c) },
			want:   "",
		},
		{
			name:   "s3 missing settings, one line each",
			change: func(c *Config) { c.MediaStore = "s3" },
			want: `GRIDBOT_S3_ENDPOINT: required when GRIDBOT_MEDIA_STORE is "s3"` + "\n" +
				`GRIDBOT_S3_BUCKET: required when GRIDBOT_MEDIA_STORE is "s3"` + "\n" +
				`GRIDBOT_S3_ACCESS_KEY: required when GRIDBOT_MEDIA_STORE is "s3"` + "\n" +
				`GRIDBOT_S3_SECRET_KEY: required when GRIDBOT_MEDIA_STORE is "s3"`,
		},
		{
			name:   "s3 endpoint without scheme",
			change: func(c *Config) { setS3(c); c.S3Endpoint = "minio:9000" },
			want:   `GRIDBOT_S3_ENDPOINT: must be an absolute http(s) URL with no path, such as "https://oss-cn-hangzhou.aliyuncs.com" or "http://minio:9000", got "minio:9000"`,
		},
		{
			name:   "s3 endpoint with a path",
			change: func(c *Config) { setS3(c); c.S3Endpoint = "http://minio:9000/gridbot" },
			want:   `GRIDBOT_S3_ENDPOINT: must be an absolute http(s) URL with no path, such as "https://oss-cn-hangzhou.aliyuncs.com" or "http://minio:9000", got "http://minio:9000/gridbot"`,
		},
		{
			name:   "s3 bucket name",
			change: func(c *Config) { setS3(c); c.S3Bucket = "Gridbot_Media" },
			want:   `GRIDBOT_S3_BUCKET: must be 3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit, got "Gridbot_Media"`,
		},
		{
			name:   "s3 prefix escapes",
			change: func(c *Config) { setS3(c); c.S3Prefix = "county/../other/" },
			want:   `GRIDBOT_S3_PREFIX: must be empty or names separated by "/" such as "county-a/", without "." or ".." parts, got "county/../other/"`,
		},
		{
			name:   "s3 prefix with slashes",
			change: func(c *Config) { setS3(c); c.S3Prefix = "/county-a/media/" },
			want:   "",
		},
		{
			name: "all problems at once",
			change: func(c *Config) {
				c.DBDriver = "postgres"
				c.LogFormat = "xml"
			},
			want: `GRIDBOT_DB_DRIVER: must be "sqlite" or "mysql", got "postgres"` + "\n" +
				`GRIDBOT_LOG_FORMAT: must be "json" or "text", got "xml"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := defaultConfig()
			tt.change(&c)
			got := ""
			if err := c.Validate(); err != nil {
				got = err.Error()
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Validate mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSecretsHidden(t *testing.T) {
	const marker = "S3CRETmarker"
	vars := map[string]string{
		"GRIDBOT_DB_DRIVER":      "mysql",
		"GRIDBOT_DB_DSN":         "gridbot:" + marker + "@tcp(db)/gridbot",
		"GRIDBOT_REDIS_URL":      "http://user:" + marker + "@redis",
		"GRIDBOT_WECHAT_SECRET":  marker,
		"GRIDBOT_WECHAT_TOKEN":   marker,
		"GRIDBOT_WECHAT_AES_KEY": marker + "-not-base64",
		"GRIDBOT_WECOM_SECRET":   marker,
		"GRIDBOT_WECOM_TOKEN":    marker,
		"GRIDBOT_WECOM_AES_KEY":  marker,
	}
	_, err := Load("", env(vars))
	if err == nil {
		t.Fatal("Load succeeded, want errors for the redis URL and AES keys")
	}
	if strings.Contains(err.Error(), marker) {
		t.Errorf("error shows a secret:\n%v", err)
	}
	if n := strings.Count(err.Error(), "\n"); n != 3 {
		t.Errorf("error has %d lines, want 4:\n%v", n+1, err)
	}

	vars["GRIDBOT_REDIS_URL"] = "redis://:" + marker + "@redis:6379/0"
	vars["GRIDBOT_WECHAT_AES_KEY"] = marker + strings.Repeat("A", 43-len(marker))
	vars["GRIDBOT_WECOM_AES_KEY"] = vars["GRIDBOT_WECHAT_AES_KEY"]
	c := mustLoad(t, "", vars)
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("config", "config", c)
	slog.New(slog.NewTextHandler(&buf, nil)).Info("config", "config", c)
	if strings.Contains(buf.String(), marker) {
		t.Errorf("log shows a secret:\n%s", buf.String())
	}
}

func TestLogValue(t *testing.T) {
	c := defaultConfig()
	c.WeChatSecret = "x"
	got := map[string]string{}
	for _, a := range c.LogValue().Group() {
		got[a.Key] = a.Value.String()
	}
	want := map[string]string{
		"http_read_timeout":   "10s",
		"http_max_body_bytes": "1048576",
		"sample_county":       "true",
		"binding_code_ttl":    "336h0m0s",
		"db_dsn":              "***",
		"wechat_secret":       "***",
		"wechat_token":        "",
		"redis_url":           "",
		"timezone":            "Asia/Shanghai",
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("LogValue %s = %q, want %q", k, got[k], w)
		}
	}
	if len(got) != len(Settings()) {
		t.Errorf("LogValue has %d attributes, want %d", len(got), len(Settings()))
	}
}

func TestSettings(t *testing.T) {
	typ := reflect.TypeFor[Config]()
	exported := 0
	for i := range typ.NumField() {
		if typ.Field(i).IsExported() {
			exported++
		}
	}
	settings := Settings()
	if len(settings) != exported {
		t.Errorf("Settings() has %d entries, Config has %d exported fields", len(settings), exported)
	}
	snake := regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)
	envs, keys := map[string]bool{}, map[string]bool{}
	for _, s := range settings {
		if !strings.HasPrefix(s.Env, "GRIDBOT_") || envs[s.Env] {
			t.Errorf("env name %q is not prefixed or not unique", s.Env)
		}
		if !snake.MatchString(s.YAML) || keys[s.YAML] {
			t.Errorf("yaml key %q of %s is not snake_case or not unique", s.YAML, s.Env)
		}
		if s.Description == "" {
			t.Errorf("%s has no description", s.Env)
		}
		envs[s.Env], keys[s.YAML] = true, true
	}
	for _, f := range fields() {
		if f.setting.Secret && typ.Field(f.index).Type.Kind() != reflect.String {
			t.Errorf("secret %s is not a string", f.setting.Env)
		}
	}
}

func TestSettingsDocumented(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if errors.Is(err, os.ErrNotExist) {
		t.Skip("../README.md does not exist yet; regenerate its settings table with config.MarkdownTable()")
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range Settings() {
		if !bytes.Contains(readme, []byte(s.Env)) {
			t.Errorf("README.md does not mention %s", s.Env)
		}
	}
}

func TestMarkdownTable(t *testing.T) {
	lines := strings.Split(strings.TrimSuffix(MarkdownTable(), "\n"), "\n")
	if got, want := len(lines), len(Settings())+2; got != want {
		t.Fatalf("table has %d lines, want %d", got, want)
	}
	wantRows := map[int]string{
		0: "| Variable | YAML key | Default | Meaning |",
		2: "| `GRIDBOT_HTTP_ADDR` | `http_addr` | `:8080` | Address the HTTP server listens on, as host:port. |",
	}
	for i, want := range wantRows {
		if diff := cmp.Diff(want, lines[i]); diff != "" {
			t.Errorf("line %d mismatch (-want +got):\n%s", i, diff)
		}
	}
	if !strings.Contains(MarkdownTable(), "| `GRIDBOT_WECHAT_SECRET` | `wechat_secret` |  | Official Account AppSecret. Secret: never logged. |") {
		t.Error("table does not mark GRIDBOT_WECHAT_SECRET as secret")
	}
}

func TestDerived(t *testing.T) {
	tests := []struct {
		name                         string
		change                       func(*Config)
		wechat, wecom, apply, sample bool
	}{
		{name: "defaults", change: func(*Config) {}, apply: true, sample: true},
		{name: "mysql auto", change: func(c *Config) { c.DBDriver = "mysql" }},
		{name: "mysql apply", change: func(c *Config) { c.DBDriver, c.DBMigrate = "mysql", "apply" }, apply: true},
		{name: "sqlite check", change: func(c *Config) { c.DBMigrate = "check" }, sample: true},
		{name: "no sample", change: func(c *Config) { c.SampleCounty = false }, apply: true},
		{
			name:   "wechat partly",
			change: func(c *Config) { c.WeChatAppID, c.WeChatSecret = "wx1", "s" },
			apply:  true, sample: true,
		},
		{
			name: "both channels",
			change: func(c *Config) {
				c.WeChatAppID, c.WeChatSecret, c.WeChatToken = "wx1", "s", "t"
				c.WeComCorpID, c.WeComAgentID, c.WeComSecret, c.WeComToken = "ww1", "1000002", "s", "t"
			},
			wechat: true, wecom: true, apply: true, sample: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := defaultConfig()
			tt.change(&c)
			got := []bool{c.WeChatConfigured(), c.WeComConfigured(), c.ApplyMigrations(), c.ImportSampleCounty()}
			want := []bool{tt.wechat, tt.wecom, tt.apply, tt.sample}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("[wechat wecom apply sample] mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLevelAndLocation(t *testing.T) {
	c := defaultConfig()
	for level, want := range map[string]slog.Level{"debug": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError} {
		c.LogLevel = level
		if got := c.SlogLevel(); got != want {
			t.Errorf("SlogLevel(%q) = %v, want %v", level, got, want)
		}
	}
	if got := c.Location().String(); got != "Asia/Shanghai" {
		t.Errorf("Location() of a hand-built Config = %q, want Asia/Shanghai", got)
	}
	c.Timezone = "Nowhere/Else"
	if got := c.Location(); got != time.UTC {
		t.Errorf("Location() with an invalid zone = %v, want UTC", got)
	}
}

func TestS3SecretsHidden(t *testing.T) {
	const marker = "S3CRETmarker"
	vars := map[string]string{"GRIDBOT_MEDIA_STORE": "s3", "GRIDBOT_S3_ENDPOINT": "http://minio:9000",
		"GRIDBOT_S3_ACCESS_KEY": marker, "GRIDBOT_S3_SECRET_KEY": marker}
	_, err := Load("", env(vars))
	if err == nil || !strings.Contains(err.Error(), "GRIDBOT_S3_BUCKET") || strings.Contains(err.Error(), marker) {
		t.Fatalf("Load = %v; want the missing bucket and no secret", err)
	}
	vars["GRIDBOT_S3_BUCKET"] = "gridbot-media"
	c := mustLoad(t, "", vars)
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("config", "config", c)
	if strings.Contains(buf.String(), marker) || !strings.Contains(buf.String(), `"s3_bucket":"gridbot-media"`) {
		t.Errorf("log shows a secret, or not the bucket:\n%s", buf.String())
	}
}
