package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
)

func TestMainPrintsHelpForEveryCommand(t *testing.T) {
	tests := []struct {
		args []string
		want []string // on stdout
	}{
		{[]string{"-h"}, []string{"usage: gridbot", "import [--dry-run] [--force] FILE", "-config"}},
		{[]string{"--help"}, []string{"usage: gridbot"}},
		{[]string{"help"}, []string{"usage: gridbot"}},
		{[]string{"import", "--help"}, []string{"usage: gridbot import [--dry-run] [--force] FILE", "-dry-run", "-force", "binding_code: issue"}},
		{[]string{"import", "-h"}, []string{"usage: gridbot import", "-dry-run"}},
		{[]string{"import", "county.yaml", "--help"}, []string{"usage: gridbot import"}},
		{[]string{"serve", "--help"}, []string{"usage: gridbot [serve]"}},
		{[]string{"migrate", "--help"}, []string{"usage: gridbot migrate"}},
		{[]string{"verify", "-h"}, []string{"usage: gridbot verify [NO...]"}},
		{[]string{"token", "--help"}, []string{"gridbot token issue PERSON_CODE"}},
		{[]string{"token", "issue", "--help"}, []string{"gridbot token issue PERSON_CODE", "-name"}},
		{[]string{"token", "list", "p-anhai-01", "-h"}, []string{"gridbot token list PERSON_CODE"}},
		{[]string{"wechat", "--help"}, []string{"usage: gridbot wechat menu [--apply]"}},
		{[]string{"wechat", "menu", "-h"}, []string{"usage: gridbot wechat menu [--apply]", "-apply"}},
		{[]string{"sim", "--help"}, []string{"gridbot sim chat --wecom USERID", "GRIDBOT_HTTP_ADDR"}},
		{[]string{"sim", "chat", "--help"}, []string{"gridbot sim chat --as OPENID", "-wecom", "-server"}},
		{[]string{"sim", "demo", "-h"}, []string{"gridbot sim demo [--server URL]", "-server"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			getenv := testEnv(t, nil)
			var out, errOut bytes.Buffer
			if err := run(context.Background(), tt.args, &out, &errOut, getenv); err != nil {
				t.Fatalf("error %v, want success\n%s", err, errOut.String())
			}
			wantAll(t, "help", out.String(), tt.want...)
			if errOut.Len() > 0 {
				t.Errorf("help wrote to stderr: %q", errOut.String())
			}
			if entries, err := os.ReadDir(getenv("GRIDBOT_DATA_DIR")); err != nil || len(entries) > 0 {
				t.Errorf("help opened the database: %v %v", entries, err)
			}
		})
	}
}

func TestMainReportsAWrongFlagWithTheUsage(t *testing.T) {
	tests := [][]string{{"import", "--bogus", "x.yaml"}, {"import"}, {"import", "a.yaml", "b.yaml"}, {"migrate", "now"},
		{"serve", "--port", "1"}, {"wechat", "menu", "--apply", "extra"}, {"verify", "--all"}}
	for _, args := range tests {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := run(context.Background(), args, &out, &errOut, testEnv(t, nil))
			if err == nil || !strings.Contains(errOut.String(), "usage: gridbot") || out.Len() > 0 {
				t.Fatalf("error %v, stdout %q, stderr %q; want an error and the usage on stderr", err, out.String(), errOut.String())
			}
		})
	}
}

func TestMainAdminCommandsLogOnlyWarnings(t *testing.T) {
	for _, level := range []string{"info", "debug"} {
		t.Run(level, func(t *testing.T) {
			getenv := testEnv(t, map[string]string{"GRIDBOT_LOG_LEVEL": level, "GRIDBOT_SAMPLE_COUNTY": "false"})
			commands := [][]string{{"migrate"}, {"import", samplePath}, {"import", "--dry-run", samplePath},
				{"token", "list", "p-anhai-01"}, {"verify"}, {"wechat", "menu"}}
			for _, args := range commands {
				var out, errOut bytes.Buffer
				if err := run(context.Background(), args, &out, &errOut, getenv); err != nil {
					t.Fatalf("%v: %v\n%s", args, err, errOut.String())
				}
				quiet := !strings.Contains(errOut.String(), `"level":"INFO"`) && !strings.Contains(out.String(), "schema ready")
				if level == "info" && !quiet {
					t.Errorf("%v logged at info:\nstdout %s\nstderr %s", args, out.String(), errOut.String())
				}
				if level == "debug" && args[0] == "import" && args[1] == samplePath && !strings.Contains(errOut.String(), "database schema ready") {
					t.Errorf("%v with GRIDBOT_LOG_LEVEL=debug hid the start-up log:\n%s", args, errOut.String())
				}
			}
		})
	}
}
