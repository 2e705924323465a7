package wechatsim

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// These vectors come from Tencent's published samples (WXBizMsgCrypt for the Official Account and for WeCom).
const (
	sampleKey      = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	sampleAppID    = "wxb11529c136998cb6"
	sampleVideo    = "<xml><ToUserName><![CDATA[oia2Tj我是中文jewbmiOUlr6X-1crbLOvLw]]></ToUserName><FromUserName><![CDATA[gh_7f083739789a]]></FromUserName><CreateTime>1407743423</CreateTime><MsgType><![CDATA[video]]></MsgType><Video><MediaId><![CDATA[eYJ1MbwPRJtOvIEabaxHs7TX2D-HV71s79GUxqdUkjm6Gs2Ed1KF3ulAOA9H1xG0]]></MediaId><Title><![CDATA[testCallBackReplyVideo]]></Title><Description><![CDATA[testCallBackReplyVideo]]></Description></Video></xml>"
	sampleVideoEnc = "jn1L23DB+6ELqJ+6bruv23M2GmYfkv0xBh2h+XTBOKVKcgDFHle6gqcZ1cZrk3e1qjPQ1F4RsLWzQRG9udbKWesxlkupqcEcW7ZQweImX9+wLMa0GaUzpkycA8+IamDBxn5loLgZpnS7fVAbExOkK5DYHBmv5tptA9tklE/fTIILHR8HLXa5nQvFb3tYPKAlHF3rtTeayNf0QuM+UW/wM9enGIDIJHF7CLHiDNAYxr+r+OrJCmPQyTy8cVWlu9iSvOHPT/77bZqJucQHQ04sq7KZI27OcqpQNSto2OdHCoTccjggX5Z9Mma0nMJBU+jLKJ38YB1fBIz+vBzsYjrTmFQ44YfeEuZ+xRTQwr92vhA9OxchWVINGC50qE/6lmkwWTwGX9wtQpsJKhP+oS7rvTY8+VdzETdfakjkwQ5/Xka042OlUb1/slTwo4RscuQ+RdxSGvDahxAJ6+EAjLt9d8igHngxIbf6YyqqROxuxqIeIch3CssH/LqRs+iAcILvApYZckqmA7FNERspKA5f8GoJ9sv8xmGvZ9Yrf57cExWtnX8aCMMaBropU/1k+hKP5LVdzbWCG0hGwx/dQudYR/eXp3P0XxjlFiy+9DMlaFExWUZQDajPkdPrEeOwofJb"
	workKey        = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
	workEchoEnc    = "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="
	oaMsgEnc       = "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE="
	oaMsgPlain     = "<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>\n<FromUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></FromUserName>\n<CreateTime>1409735668</CreateTime>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[abcdteT]]></Content>\n<MsgId>6054768590064713728</MsgId>\n</xml>"
)

func TestSign(t *testing.T) {
	tests := []struct {
		name                    string
		token, timestamp, nonce string
		extra                   []string
		want                    string
	}{
		{"wecom echostr", "QDG6eK", "1409659589", "263014780", []string{workEchoEnc}, "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3"},
		{"official message", "spamtest", "1409735669", "1320562132", []string{oaMsgEnc}, "5d197aaffba7e9b25a30732f161a50dee96bd5fa"},
		// sha1("123abc" + "456") computed independently: the three strings sorted are "123", "456", "abc".
		{"plain order", "abc", "123", "456", nil, "a172ffc990129fe6f68b50f6037c54a1894ee3fd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Sign(tt.token, tt.timestamp, tt.nonce, tt.extra...); got != tt.want {
				t.Errorf("Sign = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestEncryptKnownVectors(t *testing.T) {
	var random [16]byte
	copy(random[:], "aaaabbbbccccdddd")
	tests := []struct {
		name, plain, want string
	}{
		{"short chinese", "我是中文abcd123", "jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg=="},
		{"video reply", sampleVideo, sampleVideoEnc},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := encryptWith(sampleKey, sampleAppID, random, []byte(tt.plain))
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("encryptWith = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestDecryptKnownVectors(t *testing.T) {
	tests := []struct {
		name, key, enc, wantPlain, wantAppID string
	}{
		{"wecom echostr", workKey, workEchoEnc, "1616140317555161061", "wx5823bf96d3bd56c7"},
		{"official message", sampleKey, oaMsgEnc, oaMsgPlain, "wx2c2769f8efd9abc2"},
		{"video reply", sampleKey, sampleVideoEnc, sampleVideo, sampleAppID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plain, appID, err := Decrypt(tt.key, tt.enc)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{tt.wantPlain, tt.wantAppID}, []string{string(plain), appID}); diff != "" {
				t.Errorf("Decrypt (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEncryptRoundTrip(t *testing.T) {
	for _, n := range []int{0, 1, 11, 12, 28, 44, 1000, 70000} {
		plain := bytes.Repeat([]byte("报"), n/3+1)[:n]
		enc, err := Encrypt(workKey, "ww1436e0e65a779aee", plain)
		if err != nil {
			t.Fatal(err)
		}
		again, err := Encrypt(workKey, "ww1436e0e65a779aee", plain)
		if err != nil {
			t.Fatal(err)
		}
		if enc == again {
			t.Errorf("n=%d: two encryptions are equal; the random prefix is missing", n)
		}
		got, appID, err := Decrypt(workKey, enc)
		if err != nil || !bytes.Equal(got, plain) || appID != "ww1436e0e65a779aee" {
			t.Errorf("n=%d: round trip = %q, %q, %v", n, got, appID, err)
		}
	}
}

func TestDecryptErrors(t *testing.T) {
	good, err := Encrypt(sampleKey, sampleAppID, []byte("<xml/>"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, key, enc string
		want           error
	}{
		{"short key", sampleKey[:42], good, ErrAESKey},
		{"key not base64", strings.Repeat("!", 43), good, ErrAESKey},
		{"not base64", sampleKey, "%%%", ErrCiphertext},
		{"not blocks", sampleKey, "AAAA", ErrCiphertext},
		{"wrong key", workKey, oaMsgEnc, ErrCiphertext},
		{"empty", sampleKey, "", ErrCiphertext},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Decrypt(tt.key, tt.enc)
			if !errors.Is(err, tt.want) {
				t.Errorf("Decrypt error = %v, want %v", err, tt.want)
			}
		})
	}
}
