package wechatsim

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
)

// maxReplyBody bounds how much of an answer the phone reads.
const maxReplyBody = 1 << 20

// ErrNoAnswer reports that no try got an answer within the timeout.
var ErrNoAnswer = errors.New("no answer")

// ErrStatus reports an answer whose HTTP status was not 200; WeChat does not retry those.
var ErrStatus = errors.New("http status not 200")

// ErrBadReply reports a 200 answer that WeChat cannot use: malformed, wrongly addressed, or a wrong echo.
var ErrBadReply = errors.New("bad reply")

// ErrReplySignature reports a safe-mode reply whose msg_signature or appid does not match.
var ErrReplySignature = errors.New("reply signature mismatch")

// DeliveryError is a callback that failed as WeChat counts it; the user then sees "该公众号暂时无法提供服务，请稍后再试".
type DeliveryError struct {
	Tries  int
	Status int    // HTTP status of the answer; 0 when none came
	Body   []byte // the answer's body, if any
	Err    error  // ErrNoAnswer, ErrStatus, ErrBadReply or ErrReplySignature, with details
}

// Error describes the failure and what the user sees.
func (e *DeliveryError) Error() string {
	return fmt.Sprintf("callback failed after %d tries (status %d): %v; the user sees %q", e.Tries, e.Status, e.Err, unavailableNotice)
}

// Unwrap returns the cause.
func (e *DeliveryError) Unwrap() error {
	return e.Err
}

// RawRequest is one callback request under the test's full control.
type RawRequest struct {
	Method   string     // empty means POST
	Query    url.Values // added to the CallbackURL's query
	RawQuery string     // when set, used verbatim instead of Query
	Header   http.Header
	Body     []byte
}

// Post sends raw as WeChat would, retrying identical copies on timeouts, and parses the reply (decrypting it in safe mode).
func (p *Phone) Post(ctx context.Context, raw RawRequest) (Reply, error) {
	status, body, tries, err := p.deliver(ctx, raw)
	reply := Reply{Status: status, Raw: body, Tries: tries}
	if err != nil {
		return reply, fmt.Errorf("post: %w", err)
	}
	if status != http.StatusOK {
		return reply, fmt.Errorf("post: %w", &DeliveryError{Tries: tries, Status: status, Body: body, Err: ErrStatus})
	}
	if err := p.parseReply(&reply); err != nil {
		return reply, fmt.Errorf("post: %w", &DeliveryError{Tries: tries, Status: status, Body: body, Err: err})
	}
	return reply, nil
}

// VerifyURL makes the GET that checks a callback URL (WeCom's carries an encrypted echostr) and checks the echo.
func (p *Phone) VerifyURL(ctx context.Context) error {
	raw, echo, err := p.verifyRequest()
	if err != nil {
		return fmt.Errorf("verify url: %w", err)
	}
	status, body, err := p.try(ctx, raw)
	switch {
	case err != nil:
		return fmt.Errorf("verify url: %w", &DeliveryError{Tries: 1, Err: fmt.Errorf("%w: %w", ErrNoAnswer, err)})
	case status != http.StatusOK:
		return fmt.Errorf("verify url: %w", &DeliveryError{Tries: 1, Status: status, Body: body, Err: ErrStatus})
	case string(body) != echo:
		bad := fmt.Errorf("%w: echo %q, want %q", ErrBadReply, body, echo)
		return fmt.Errorf("verify url: %w", &DeliveryError{Tries: 1, Status: status, Body: body, Err: bad})
	}
	return nil
}

// verifyRequest builds the URL check and returns the echo expected back.
func (p *Phone) verifyRequest() (RawRequest, string, error) {
	ts, nonce := strconv.FormatInt(p.cfg.Now().Unix(), 10), newNonce()
	echo := newNonce() + newNonce()
	if !p.cfg.Work {
		q := url.Values{"signature": {Sign(p.cfg.Token, ts, nonce)}, "timestamp": {ts}, "nonce": {nonce}, "echostr": {echo}}
		return RawRequest{Method: http.MethodGet, Query: q}, echo, nil
	}
	enc, err := Encrypt(p.cfg.AESKey, p.cfg.AppID, []byte(echo))
	if err != nil {
		return RawRequest{}, "", err
	}
	q := url.Values{"msg_signature": {Sign(p.cfg.Token, ts, nonce, enc)}, "timestamp": {ts}, "nonce": {nonce}, "echostr": {enc}}
	return RawRequest{Method: http.MethodGet, Query: q}, echo, nil
}

// deliver makes up to Retries tries of the identical request, moving on only when a try got no answer in time.
func (p *Phone) deliver(ctx context.Context, raw RawRequest) (status int, body []byte, tries int, err error) {
	for tries = 1; ; tries++ {
		status, body, err = p.try(ctx, raw)
		switch {
		case err == nil:
			return status, body, tries, nil
		case ctx.Err() != nil:
			return 0, nil, tries, fmt.Errorf("try %d: %w", tries, ctx.Err())
		case tries >= p.cfg.Retries:
			return 0, nil, tries, &DeliveryError{Tries: tries, Err: fmt.Errorf("%w: %w", ErrNoAnswer, err)}
		}
	}
}

// try sends the request once and reads the answer, all within one Timeout.
func (p *Phone) try(ctx context.Context, raw RawRequest) (int, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
	defer cancel()
	req, err := raw.request(ctx, p.cfg.CallbackURL)
	if err != nil {
		return 0, nil, err
	}
	resp, err := p.cfg.HTTPClient.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("do: %w", err)
	}
	defer func() { _ = resp.Body.Close() }() // the body has been read or abandoned
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxReplyBody))
	if err != nil {
		return 0, nil, fmt.Errorf("read answer: %w", err)
	}
	return resp.StatusCode, body, nil
}

// request builds the HTTP request: WeChat's headers unless the test set them, the query merged into the callback URL's.
func (raw RawRequest) request(ctx context.Context, callback string) (*http.Request, error) {
	u, err := url.Parse(callback)
	if err != nil {
		return nil, fmt.Errorf("callback url: %w", err)
	}
	u.RawQuery = raw.mergedQuery(u.Query())
	method := raw.Method
	if method == "" {
		method = http.MethodPost
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(raw.Body))
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	for k, vs := range raw.Header {
		req.Header[k] = vs
	}
	setDefault(req.Header, "User-Agent", "Mozilla/4.0")
	setDefault(req.Header, "Accept", "*/*")
	if method == http.MethodPost {
		setDefault(req.Header, "Content-Type", "text/xml")
	}
	return req, nil
}

// mergedQuery is RawQuery if set, else base with Query's keys replacing base's.
func (raw RawRequest) mergedQuery(base url.Values) string {
	if raw.RawQuery != "" {
		return raw.RawQuery
	}
	for k, vs := range raw.Query {
		base[k] = vs
	}
	return base.Encode()
}

// setDefault sets a header the test left unset.
func setDefault(h http.Header, key, value string) {
	if h.Get(key) == "" {
		h.Set(key, value)
	}
}
