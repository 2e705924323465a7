package blob

import (
	"bytes"
	"context"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"gridbot/models"
)

// fakeS3 serves an in-memory S3 with one bucket over HTTP on 127.0.0.1 and returns its URL.
func fakeS3(t *testing.T, bucket string) string {
	t.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket(bucket); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(srv.Close)
	return srv.URL
}

// stores returns each implementation, fresh.
func stores(t *testing.T) map[string]Store {
	t.Helper()
	dir, err := NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s3, err := NewS3(S3Config{Endpoint: fakeS3(t, "media"), Bucket: "media", AccessKey: "k", SecretKey: "s",
		Attempts: 1, Prefix: "/county-a/"})
	if err != nil {
		t.Fatal(err)
	}
	return map[string]Store{"dir": dir, "s3": s3}
}

// jpeg is the start of a real JPEG file (SOI, APP0 JFIF).
var jpeg = []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9")

func TestStore(t *testing.T) {
	type put struct {
		key, ctype string
		data       []byte
	}
	tests := []struct {
		name     string
		puts     []put
		key      string
		want     []byte // nil: missing
		wantCode models.ErrorCode
	}{
		{name: "put then get", puts: []put{{"media/2026/12/a.jpg", "image/jpeg", jpeg}},
			key: "media/2026/12/a.jpg", want: jpeg},
		{name: "missing key", puts: []put{{"media/2026/12/a.jpg", "image/jpeg", jpeg}},
			key: "media/2026/12/b.jpg", wantCode: models.ENotFound},
		{name: "overwrite keeps the last", puts: []put{{"media/x.amr", "audio/amr", []byte("#!AMR\nfirst")},
			{"media/x.amr", "audio/amr", []byte("#!AMR\nsecond, longer")}},
			key: "media/x.amr", want: []byte("#!AMR\nsecond, longer")},
		{name: "a directory is no blob", puts: []put{{"media/2026/12/a.jpg", "image/jpeg", jpeg}},
			key: "media/2026", wantCode: models.ENotFound},
		{name: "escaping key refused", key: "../gridbot.db", wantCode: models.EInvalid},
		{name: "absolute key refused", key: "/etc/passwd", wantCode: models.EInvalid},
		{name: "empty key refused", key: "", wantCode: models.EInvalid},
	}
	for _, tt := range tests {
		for impl, st := range stores(t) {
			t.Run(impl+"/"+tt.name, func(t *testing.T) {
				ctx := context.Background()
				for _, p := range tt.puts {
					if err := st.Put(ctx, p.key, bytes.NewReader(p.data), int64(len(p.data)), p.ctype); err != nil {
						t.Fatalf("Put(%s): %v", p.key, err)
					}
				}
				checkGet(t, st, tt.key, tt.want, tt.wantCode)
				checkStat(t, st, tt.key, tt.want, tt.wantCode)
			})
		}
	}
}

// checkGet reads key and compares bytes, size and error code.
func checkGet(t *testing.T, st Store, key string, want []byte, code models.ErrorCode) {
	t.Helper()
	rc, info, err := st.Get(context.Background(), key)
	if got := models.ErrorCodeOf(err); got != code {
		t.Fatalf("Get(%q) error = %v, want code %q", key, err, code)
	}
	if err != nil {
		return
	}
	defer rc.Close()
	got, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) || info.Size != int64(len(want)) {
		t.Errorf("Get(%q) = %q (size %d), want %q", key, got, info.Size, want)
	}
}

// checkStat compares Stat's size and error code.
func checkStat(t *testing.T, st Store, key string, want []byte, code models.ErrorCode) {
	t.Helper()
	info, err := st.Stat(context.Background(), key)
	if got := models.ErrorCodeOf(err); got != code {
		t.Fatalf("Stat(%q) error = %v, want code %q", key, err, code)
	}
	if err == nil && info.Size != int64(len(want)) {
		t.Errorf("Stat(%q).Size = %d, want %d", key, info.Size, len(want))
	}
}

func TestDelete(t *testing.T) {
	for impl, st := range stores(t) {
		t.Run(impl, func(t *testing.T) {
			ctx := context.Background()
			if err := st.Put(ctx, "media/a.jpg", bytes.NewReader(jpeg), int64(len(jpeg)), "image/jpeg"); err != nil {
				t.Fatal(err)
			}
			for range 2 { // the second delete finds nothing, and is no error
				if err := st.Delete(ctx, "media/a.jpg"); err != nil {
					t.Fatalf("Delete: %v", err)
				}
			}
			if _, err := st.Stat(ctx, "media/a.jpg"); models.ErrorCodeOf(err) != models.ENotFound {
				t.Errorf("Stat after Delete: %v, want not found", err)
			}
		})
	}
}

func TestContentType(t *testing.T) {
	for impl, st := range stores(t) {
		t.Run(impl, func(t *testing.T) {
			ctx := context.Background()
			if err := st.Put(ctx, "media/a.jpg", bytes.NewReader(jpeg), int64(len(jpeg)), "image/jpeg"); err != nil {
				t.Fatal(err)
			}
			info, err := st.Stat(ctx, "media/a.jpg")
			if err != nil || info.ContentType != "image/jpeg" {
				t.Errorf("Stat = %+v, %v; want image/jpeg", info, err)
			}
		})
	}
}

func TestShortBodyRefused(t *testing.T) {
	for impl, st := range stores(t) {
		t.Run(impl, func(t *testing.T) {
			ctx := context.Background()
			if err := st.Put(ctx, "media/a.jpg", strings.NewReader("abc"), 10, "image/jpeg"); err == nil {
				t.Fatal("Put of 3 bytes announced as 10 succeeded")
			}
			if _, err := st.Stat(ctx, "media/a.jpg"); models.ErrorCodeOf(err) != models.ENotFound {
				t.Errorf("a failed Put left a blob: %v", err)
			}
		})
	}
}

func TestPrefix(t *testing.T) {
	url := fakeS3(t, "media")
	a, _ := NewS3(S3Config{Endpoint: url, Bucket: "media", AccessKey: "k", SecretKey: "s", Region: "us-east-1", Attempts: 1, Prefix: "county-a"})
	b, _ := NewS3(S3Config{Endpoint: url, Bucket: "media", AccessKey: "k", SecretKey: "s", Region: "us-east-1", Attempts: 1, Prefix: "county-b/"})
	ctx := context.Background()
	if err := a.Put(ctx, "media/a.jpg", bytes.NewReader(jpeg), int64(len(jpeg)), "image/jpeg"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Stat(ctx, "media/a.jpg"); err != nil {
		t.Errorf("county-a does not find its blob: %v", err)
	}
	if _, err := b.Stat(ctx, "media/a.jpg"); models.ErrorCodeOf(err) != models.ENotFound {
		t.Errorf("county-b sees county-a's blob: %v", err)
	}
}

func TestPing(t *testing.T) {
	url := fakeS3(t, "media")
	tests := []struct {
		name    string
		store   func() (Store, error)
		wantErr bool
	}{
		{"dir", func() (Store, error) { return NewDir(t.TempDir()) }, false},
		{"s3 bucket exists", func() (Store, error) {
			return NewS3(S3Config{Endpoint: url, Bucket: "media", AccessKey: "k", SecretKey: "s", Region: "us-east-1", Attempts: 1})
		}, false},
		{"s3 bucket missing", func() (Store, error) {
			return NewS3(S3Config{Endpoint: url, Bucket: "other", AccessKey: "k", SecretKey: "s", Region: "us-east-1", Attempts: 1})
		}, true},
		{"s3 server down", func() (Store, error) {
			return NewS3(S3Config{Endpoint: "http://127.0.0.1:1", Bucket: "media", AccessKey: "k", SecretKey: "s", Region: "us-east-1", Attempts: 1})
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := tt.store()
			if err != nil {
				t.Fatal(err)
			}
			if err := st.Ping(context.Background()); (err != nil) != tt.wantErr {
				t.Errorf("Ping() = %v, want error %v", err, tt.wantErr)
			}
		})
	}
}
