package media

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gridbot/blob"
	"gridbot/models"
)

// recorder is a Store that hands each recorded fetch to a channel.
type recorder struct {
	fetched chan models.Attachment
}

// AddAttachment keeps nothing: the tests enqueue their attachments themselves.
func (r recorder) AddAttachment(_ context.Context, a models.Attachment) (models.Attachment, error) {
	return a, nil
}

// RecordFetch passes the outcome on.
func (r recorder) RecordFetch(_ context.Context, a models.Attachment) error {
	r.fetched <- a
	return nil
}

// UnfetchedAttachments finds nothing left from an earlier run.
func (r recorder) UnfetchedAttachments(context.Context, time.Time, int) ([]models.Attachment, error) {
	return nil, nil
}

// jpeg is a small real JPEG (SOI, a JFIF APP0 segment, EOI).
var jpeg = []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9")

func TestFetch(t *testing.T) {
	sum := sha256.Sum256(jpeg)
	hash := hex.EncodeToString(sum[:])
	tests := []struct {
		name      string
		download  DownloadFunc
		breakDir  bool // a file named media sits where the directory goes
		wantPath  string
		wantError string
	}{
		{name: "photo stored under its hash",
			download: func(context.Context, models.Channel, string) ([]byte, string, error) { return jpeg, "image/jpeg", nil },
			wantPath: "media/" + time.Now().Format("2006/01") + "/" + hash + ".jpg"},
		{name: "type sniffed when WeChat says octet-stream",
			download: func(context.Context, models.Channel, string) ([]byte, string, error) {
				return jpeg, "application/octet-stream", nil
			},
			wantPath: "media/" + time.Now().Format("2006/01") + "/" + hash + ".jpg"},
		{name: "download keeps failing",
			download: func(context.Context, models.Channel, string) ([]byte, string, error) {
				return nil, "", errors.New("40007 invalid media_id")
			},
			wantError: "40007 invalid media_id"},
		{name: "empty file",
			download:  func(context.Context, models.Channel, string) ([]byte, string, error) { return nil, "image/jpeg", nil },
			wantError: "is empty"},
		{name: "store cannot write",
			download: func(context.Context, models.Channel, string) ([]byte, string, error) { return jpeg, "image/jpeg", nil },
			breakDir: true, wantError: "store media"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			if tt.breakDir {
				if err := os.WriteFile(filepath.Join(root, "media"), nil, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			dir, err := blob.NewDir(root)
			if err != nil {
				t.Fatal(err)
			}
			rec := recorder{fetched: make(chan models.Attachment, 1)}
			f := New(Config{Blobs: dir, Workers: 1, Attempts: 2, Backoff: time.Millisecond}, rec, tt.download,
				slog.New(slog.NewTextHandler(io.Discard, nil)))
			if err := f.Start(context.Background()); err != nil {
				t.Fatal(err)
			}
			defer f.Close(time.Second)
			f.Enqueue(models.Attachment{ID: 7, MediaID: "m-7"})
			var got models.Attachment
			select {
			case got = <-rec.fetched:
			case <-time.After(5 * time.Second):
				t.Fatal("no fetch recorded")
			}
			if tt.wantError != "" {
				if !strings.Contains(got.FetchError, tt.wantError) || got.Path != "" {
					t.Fatalf("recorded %+v, want error containing %q and no path", got, tt.wantError)
				}
				return
			}
			if got.Path != tt.wantPath || got.SHA256 != hash || got.Size != int64(len(jpeg)) || got.MIMEType != "image/jpeg" || got.FetchError != "" {
				t.Fatalf("recorded %+v, want path %s", got, tt.wantPath)
			}
			rc, _, err := dir.Get(context.Background(), got.Path)
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			if b, _ := io.ReadAll(rc); string(b) != string(jpeg) {
				t.Errorf("stored %q, want the photo", b)
			}
		})
	}
}
