package wechat

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// MaxMediaBytes is the largest media file DownloadMedia accepts: WeChat's limit for the Official
// Account's images and videos (voice is 2 MB).
const MaxMediaBytes = 10 << 20

// maxMediaIDLen bounds a media id, which WeChat makes 64 characters or so.
const maxMediaIDLen = 512

// Errors of DownloadMedia besides *APIError.
var (
	ErrMediaTooLarge = errors.New("media file larger than MaxMediaBytes")
	ErrNotFile       = errors.New("media/get answered JSON instead of a file")
	ErrMediaID       = errors.New("invalid media id")
)

// Media is a downloaded media file.
type Media struct {
	Data        []byte
	ContentType string
}

// mediaAnswer is the JSON that media/get sends instead of a file.
type mediaAnswer struct {
	ErrCode  int    `json:"errcode"`
	ErrMsg   string `json:"errmsg"`
	VideoURL string `json:"video_url"`
}

// DownloadMedia fetches a temporary media file (a user's photo or voice) by its id, which WeChat
// keeps for 3 days; an unknown or expired id is an *APIError with code 40007, a video (which
// WeChat serves from a video_url) is ErrNotFile, a file over MaxMediaBytes is ErrMediaTooLarge.
func (a *Account) DownloadMedia(ctx context.Context, mediaID string) (Media, error) {
	if mediaID == "" || len(mediaID) > maxMediaIDLen {
		return Media{}, fmt.Errorf("download media: %w", ErrMediaID)
	}
	var m Media
	err := a.call(ctx, "download media", func() error {
		link, err := a.material.GetMediaURL(url.QueryEscape(mediaID))
		if err != nil {
			return err
		}
		m, err = a.fetchMedia(ctx, link)
		return err
	})
	return m, err
}

// fetchMedia GETs a media/get link with the routing client and ctx and reads the file it answers.
func (a *Account) fetchMedia(ctx context.Context, link string) (Media, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, link, nil)
	if err != nil {
		return Media{}, err
	}
	resp, err := a.http.Do(req)
	if err != nil {
		return Media{}, err
	}
	defer func() { _ = resp.Body.Close() }() // a read-only body: nothing to report
	if resp.StatusCode != http.StatusOK {
		return Media{}, &APIError{Op: "download media", Status: resp.StatusCode}
	}
	data, err := readCapped(resp)
	if err != nil {
		return Media{}, err
	}
	ct := resp.Header.Get("Content-Type")
	if isJSONAnswer(ct, data) {
		return Media{}, answerError(data)
	}
	if ct == "" {
		ct = http.DetectContentType(data)
	}
	return Media{Data: data, ContentType: ct}, nil
}

// readCapped reads a body of at most MaxMediaBytes.
func readCapped(resp *http.Response) ([]byte, error) {
	if resp.ContentLength > MaxMediaBytes {
		return nil, fmt.Errorf("%w: %d bytes", ErrMediaTooLarge, resp.ContentLength)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxMediaBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read media: %w", err)
	}
	if len(data) > MaxMediaBytes {
		return nil, ErrMediaTooLarge
	}
	return data, nil
}

// isJSONAnswer reports whether media/get answered JSON rather than a file: labelled as JSON, or
// a JSON object labelled as text or not labelled at all.
func isJSONAnswer(contentType string, data []byte) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	switch {
	case contentType == "":
	case err != nil:
		return false
	case strings.Contains(mt, "json"):
		return true
	case mt != "text/plain":
		return false
	}
	trimmed := bytes.TrimSpace(data)
	return len(trimmed) > 0 && trimmed[0] == '{' && json.Valid(trimmed)
}

// answerError is the error a JSON answer of media/get stands for.
func answerError(data []byte) error {
	var ans mediaAnswer
	if err := json.Unmarshal(data, &ans); err != nil {
		return fmt.Errorf("%w: %w", ErrNotFile, err)
	}
	switch {
	case ans.ErrCode != 0:
		return &APIError{Code: ans.ErrCode, Msg: ans.ErrMsg, Op: "download media"}
	case ans.VideoURL != "":
		return fmt.Errorf("%w: a video, which WeChat serves from a video_url", ErrNotFile)
	}
	return ErrNotFile
}
