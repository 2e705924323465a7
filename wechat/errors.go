package wechat

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"strconv"

	"github.com/silenceper/wechat/v2/util"
)

// WeChat's errcodes that the helpers below classify.
const (
	CodeSystemBusy         = -1    // system busy: back off and retry
	CodeInvalidCredential  = 40001 // access token invalid or not the latest
	CodeInvalidOpenID      = 40003 // the openid does not belong to this account
	CodeInvalidMediaID     = 40007 // media id unknown or expired (3 days)
	CodeInvalidAccessToken = 40014 // access token invalid (WeCom's usual answer)
	CodeTokenExpired       = 42001 // access token expired
	CodeUnsubscribed       = 43004 // the user has unfollowed the account
	CodeRefusedSubscribe   = 43101 // the user refused subscribe messages
	CodeAPIQuota           = 45009 // the API's daily quota is used up
	CodeAPIMinuteQuota     = 45011 // the API is called too often
	CodeOutOfWindow        = 45015 // customer-service message outside the 48-hour window
	CodeWindowSpent        = 45047 // customer-service messages beyond the window's count (5 per message)
	CodeInvalidArgument    = 47003 // an argument is invalid, such as a template value breaking its type
)

// APIError is WeChat's answer to a call that failed: a nonzero errcode, or an HTTP status other
// than 200 from WeChat or a gateway in front of it.
type APIError struct {
	Code   int    // WeChat's errcode; 0 when only Status is known
	Msg    string // WeChat's errmsg, ending in its " rid: ..." request id; match on Code, never Msg
	Op     string // what gridbot was doing, such as "send text"
	Status int    // the HTTP status when it was not 200; 0 otherwise
}

// Error renders the operation and WeChat's code and message.
func (e *APIError) Error() string {
	if e.Status != 0 {
		return fmt.Sprintf("wechat %s: http status %d", e.Op, e.Status)
	}
	return fmt.Sprintf("wechat %s: errcode %d: %s", e.Op, e.Code, e.Msg)
}

// The two text shapes of the library's errors: "... errcode=N , errmsg=M" (also errormsg=) and
// "... uri=U , statusCode=N"; and the secrets that URIs in its error texts carry.
var (
	errcodeText = regexp.MustCompile(`(?s)errcode=(-?\d+)\s*,\s*err(?:or)?msg=(.*)$`)
	statusText  = regexp.MustCompile(`statusCode=(\d+)`)
	secretText  = regexp.MustCompile(`(access_token|secret)=[^&\s"',]*`)
)

// LibraryError turns an error of silenceper/wechat into an *APIError when it carries an errcode
// (as *util.CommonError or as fmt.Errorf text) or an HTTP status, and otherwise wraps it with op
// and with any access token or secret in its text redacted; nil stays nil.
func LibraryError(op string, err error) error {
	if err == nil {
		return nil
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return err
	}
	if code, msg, status, ok := parseLibraryError(err); ok {
		return &APIError{Code: code, Msg: msg, Op: op, Status: status}
	}
	return fmt.Errorf("wechat %s: %w", op, &redactedError{msg: redact(err.Error()), err: err})
}

// parseLibraryError extracts the errcode and errmsg, or the HTTP status, from a library error.
func parseLibraryError(err error) (code int, msg string, status int, ok bool) {
	var common *util.CommonError
	if errors.As(err, &common) {
		return int(common.ErrCode), common.ErrMsg, 0, true
	}
	text := err.Error()
	if m := errcodeText.FindStringSubmatch(text); m != nil {
		code, convErr := strconv.Atoi(m[1])
		return code, m[2], 0, convErr == nil
	}
	if m := statusText.FindStringSubmatch(text); m != nil {
		status, convErr := strconv.Atoi(m[1])
		return 0, "", status, convErr == nil && status != http.StatusOK
	}
	return 0, "", 0, false
}

// redact hides access tokens and secrets in a URL or an error text.
func redact(s string) string {
	return secretText.ReplaceAllString(s, "${1}=REDACTED")
}

// redactedError shows a library error with its secrets hidden and keeps it for errors.Is and As.
type redactedError struct {
	msg string
	err error
}

// Error is the redacted text.
func (e *redactedError) Error() string { return e.msg }

// Unwrap returns the original error.
func (e *redactedError) Unwrap() error { return e.err }

// ErrCode returns WeChat's errcode carried by err (an *APIError or a raw library error) and
// whether there was one.
func ErrCode(err error) (int, bool) {
	code, _, ok := classify(err)
	return code, ok && code != 0
}

// classify returns the errcode and HTTP status err carries, in either shape.
func classify(err error) (code, status int, ok bool) {
	if err == nil {
		return 0, 0, false
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.Code, apiErr.Status, true
	}
	code, _, status, ok = parseLibraryError(err)
	return code, status, ok
}

// IsTokenInvalid reports whether WeChat rejected the access token (40001, 40014, 42001): drop the
// cached token, fetch a new one and retry once.
func IsTokenInvalid(err error) bool {
	code, _, ok := classify(err)
	return ok && (code == CodeInvalidCredential || code == CodeInvalidAccessToken || code == CodeTokenExpired)
}

// IsRetryable reports whether the same call may succeed later: system busy (-1), quota (45009,
// 45011), an HTTP 429 or 5xx answer, or a timeout; a cancelled context is the caller's choice and
// not retryable.
func IsRetryable(err error) bool {
	code, status, ok := classify(err)
	switch {
	case ok && status != 0:
		return status == http.StatusTooManyRequests || status >= http.StatusInternalServerError
	case ok:
		return code == CodeSystemBusy || code == CodeAPIQuota || code == CodeAPIMinuteQuota
	}
	return isTimeout(err)
}

// isTimeout reports a deadline that passed, the client's or the context's.
func isTimeout(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	var netErr net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout())
}

// IsUserUnreachable reports whether the message cannot reach this user through this API: they
// unfollowed (43004), refused subscribe messages (43101), or are outside the 48-hour window of
// customer-service messages (45015; a template message may still reach them). Retrying is useless.
func IsUserUnreachable(err error) bool {
	code, _, ok := classify(err)
	return ok && (code == CodeUnsubscribed || code == CodeRefusedSubscribe || code == CodeOutOfWindow)
}
