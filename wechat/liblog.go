package wechat

import (
	"context"
	"io"
	"log/slog"

	"github.com/sirupsen/logrus"
)

// QuietLibraryLog sets the process-wide logrus logger, through which silenceper/wechat logs, to
// Warn with its text output discarded, and forwards its warnings and errors to log (when not nil),
// replacing any hooks, so that calling it twice changes nothing.
// At Debug the library would log decrypted callbacks, i.e. citizens' personal data. Call it once
// from cmd at start-up, before any callback is served; it changes global state for every user of
// logrus in the process.
func QuietLibraryLog(log *slog.Logger) {
	logrus.SetLevel(logrus.WarnLevel)
	logrus.SetOutput(io.Discard)
	if log != nil {
		logrus.StandardLogger().ReplaceHooks(logrus.LevelHooks{})
		logrus.AddHook(slogHook{log: log})
	}
}

// slogHook forwards logrus entries at Warn and above to slog.
type slogHook struct {
	log *slog.Logger
}

// Levels is Warn and above.
func (h slogHook) Levels() []logrus.Level {
	return []logrus.Level{logrus.PanicLevel, logrus.FatalLevel, logrus.ErrorLevel, logrus.WarnLevel}
}

// Fire logs the entry's message (the library logs no fields) at the matching slog level.
func (h slogHook) Fire(e *logrus.Entry) error {
	level := slog.LevelWarn
	if e.Level <= logrus.ErrorLevel {
		level = slog.LevelError
	}
	h.log.Log(context.Background(), level, e.Message, "source", "silenceper/wechat")
	return nil
}
