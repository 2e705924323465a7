package wechat

import (
	"errors"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// recorder is a RoundTripper that keeps the request it is given and answers 204.
type recorder struct{ got *http.Request }

// RoundTrip records req.
func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.got = req
	return &http.Response{StatusCode: http.StatusNoContent, Body: http.NoBody, Request: req}, nil
}

func TestRewriterRoutes(t *testing.T) {
	tests := []struct {
		name, official, work, in string
		want                     string // the URL the next transport sees
		wantHost                 string // the request's Host field
	}{
		{name: "official host to base", official: "http://127.0.0.1:8080", in: "https://api.weixin.qq.com/cgi-bin/token?appid=x",
			want: "http://127.0.0.1:8080/cgi-bin/token?appid=x"},
		{name: "path prefix", official: "http://127.0.0.1:8080/sandbox/wechat-api", in: "https://api.weixin.qq.com/cgi-bin/menu/create?access_token=t",
			want: "http://127.0.0.1:8080/sandbox/wechat-api/cgi-bin/menu/create?access_token=t"},
		{name: "trailing slash in base", official: "https://gw.example.com/wx/", in: "https://api.weixin.qq.com/cgi-bin/media/get?media_id=m",
			want: "https://gw.example.com/wx/cgi-bin/media/get?media_id=m"},
		{name: "work host to its own base", official: "http://a:1", work: "http://b:2/qy", in: "https://qyapi.weixin.qq.com/cgi-bin/gettoken?corpid=c",
			want: "http://b:2/qy/cgi-bin/gettoken?corpid=c"},
		{name: "escaped path kept", official: "http://a:1/p", in: "https://api.weixin.qq.com/x%2Fy",
			want: "http://a:1/p/x%2Fy"},
		{name: "empty base leaves the host alone", work: "http://b:2", in: "https://api.weixin.qq.com/cgi-bin/token",
			want: "https://api.weixin.qq.com/cgi-bin/token", wantHost: "api.weixin.qq.com"},
		{name: "other hosts untouched", official: "http://a:1", in: "http://example.com/file.jpg",
			want: "http://example.com/file.jpg", wantHost: "example.com"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{}
			rw, err := newRewriter(tc.official, tc.work, rec)
			if err != nil {
				t.Fatal(err)
			}
			req, err := http.NewRequest(http.MethodGet, tc.in, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := rw.RoundTrip(req); err != nil {
				t.Fatal(err)
			}
			got := struct{ URL, Host string }{rec.got.URL.String(), rec.got.Host}
			if diff := cmp.Diff(struct{ URL, Host string }{tc.want, tc.wantHost}, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if req.URL.String() != tc.in {
				t.Errorf("the caller's request was modified: %s", req.URL)
			}
		})
	}
}

func TestRewriterBadBases(t *testing.T) {
	for _, base := range []string{"127.0.0.1:8080", "ftp://h/x", "http://", "http://h/x?y=1", "/relative", "http://h/#f"} {
		if _, err := newRewriter(base, "", &recorder{}); !errors.Is(err, errBase) {
			t.Errorf("newRewriter(%q) = %v, want errBase", base, err)
		}
	}
}
