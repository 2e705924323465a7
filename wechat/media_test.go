package wechat_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"gridbot/wechat"
)

// jpeg is the start of a JPEG file, enough for content sniffing.
var jpeg = append([]byte{0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00}, bytes.Repeat([]byte{0x42}, 4096)...)

func TestDownloadMedia(t *testing.T) {
	f := newFixture(t, 5*time.Second)
	tests := []struct {
		name, kind, contentType string
		data                    []byte
	}{
		{"photo", "image", "image/jpeg", jpeg},
		{"voice", "voice", "audio/amr", append([]byte("#!AMR\n"), bytes.Repeat([]byte{0x3C}, 1000)...)},
		{"png", "image", "image/png", []byte("\x89PNG\r\n\x1a\n....")},
		{"largest allowed", "image", "image/jpeg", bytes.Repeat([]byte{0xAB}, wechat.MaxMediaBytes)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id := f.api.AddMedia(tc.kind, tc.data, tc.contentType)
			got, err := f.acct.DownloadMedia(context.Background(), id)
			if err != nil {
				t.Fatalf("DownloadMedia: %v", err)
			}
			if !bytes.Equal(got.Data, tc.data) { // cmp walks a 10 MiB slice byte by byte
				t.Errorf("downloaded %d bytes that differ from the %d stored", len(got.Data), len(tc.data))
			}
			if got.ContentType != tc.contentType {
				t.Errorf("ContentType = %q, want %q", got.ContentType, tc.contentType)
			}
		})
	}
}

func TestDownloadMediaErrors(t *testing.T) {
	f := newFixture(t, 5*time.Second)
	tests := []struct {
		name     string
		id       string
		wantCode int   // an *APIError's errcode, or 0
		wantErr  error // a sentinel, or nil
	}{
		{"unknown id", "no-such-media-id", wechat.CodeInvalidMediaID, nil},
		{"id needing escapes", "a&media_id=b c", wechat.CodeInvalidMediaID, nil},
		{"video answers video_url", f.api.AddMedia("video", []byte("\x00\x00\x00\x18ftypmp42"), "video/mp4"), 0, wechat.ErrNotFile},
		{"too large", f.api.AddMedia("image", bytes.Repeat([]byte{1}, wechat.MaxMediaBytes+1), "image/jpeg"), 0, wechat.ErrMediaTooLarge},
		{"empty id", "", 0, wechat.ErrMediaID},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := f.acct.DownloadMedia(context.Background(), tc.id)
			if code, _ := apiCode(err); tc.wantCode != 0 && code != tc.wantCode {
				t.Errorf("DownloadMedia = %v, want an *APIError %d", err, tc.wantCode)
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("DownloadMedia = %v, want %v", err, tc.wantErr)
			}
			if err == nil || m.Data != nil {
				t.Errorf("DownloadMedia = %d bytes, %v; want no data and an error", len(m.Data), err)
			}
		})
	}
}

func TestDownloadMediaAnswers(t *testing.T) {
	tests := []struct {
		name        string
		contentType string
		body        string
		status      int
		want        wechat.Media
		wantCode    int
		wantStatus  int
		wantErr     error
	}{
		{name: "errcode as text/plain", contentType: "text/plain", body: `{"errcode":40007,"errmsg":"invalid media_id rid: 1"}`, wantCode: 40007},
		{name: "errcode unlabelled", body: `{"errcode":40001,"errmsg":"invalid credential"}`, wantCode: 40001},
		{name: "json without errcode", contentType: "application/json; encoding=utf-8", body: `{"foo":1}`, wantErr: wechat.ErrNotFile},
		{name: "broken json labelled json", contentType: "application/json", body: `{"errcode":`, wantErr: wechat.ErrNotFile},
		{name: "gateway error", status: http.StatusBadGateway, body: "bad gateway", wantStatus: 502},
		{name: "unlabelled file sniffed", body: string(jpeg[:64]), want: wechat.Media{Data: jpeg[:64], ContentType: "image/jpeg"}},
		{name: "text file that is not JSON", contentType: "text/plain; charset=utf-8", body: "hello",
			want: wechat.Media{Data: []byte("hello"), ContentType: "text/plain; charset=utf-8"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newWrappedFixture(t, 5*time.Second, func(api http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Path != "/cgi-bin/media/get" {
						api.ServeHTTP(w, r) // the token comes from the simulator
						return
					}
					w.Header()["Content-Type"] = nil // no sniffing by net/http
					if tc.contentType != "" {
						w.Header().Set("Content-Type", tc.contentType)
					}
					if tc.status != 0 {
						w.WriteHeader(tc.status)
					}
					_, _ = w.Write([]byte(tc.body))
				})
			})
			got, err := f.acct.DownloadMedia(context.Background(), "m")
			code, status := apiCode(err)
			if tc.wantCode != 0 && code != tc.wantCode || tc.wantStatus != 0 && status != tc.wantStatus ||
				tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Fatalf("DownloadMedia = %v, want code %d status %d error %v", err, tc.wantCode, tc.wantStatus, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
