package wechat

import (
	"crypto/sha1"
	"crypto/subtle"
	"encoding/hex"
	"sort"
	"strconv"
	"strings"
	"time"
)

// ValidSignature checks a WeChat or WeCom callback signature: sha1 of the sorted token,
// timestamp, nonce (and the encrypted body for msg_signature), in constant time.
func ValidSignature(sig, token string, parts ...string) bool {
	if sig == "" {
		return false
	}
	all := append([]string{token}, parts...)
	sort.Strings(all)
	sum := sha1.Sum([]byte(strings.Join(all, "")))
	want := hex.EncodeToString(sum[:])
	return subtle.ConstantTimeCompare([]byte(want), []byte(sig)) == 1
}

// FreshTimestamp reports whether a callback's Unix timestamp is within the window around now.
func FreshTimestamp(now time.Time, ts string, window time.Duration) bool {
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return false
	}
	d := now.Sub(time.Unix(sec, 0))
	return d <= window && d >= -window
}
