package wechatsim

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"time"
)

const (
	// mediaLife is how long a temporary media id works: 3 days.
	mediaLife = 72 * time.Hour
	// maxUpload bounds the body of a media upload.
	maxUpload = 20 << 20
	// videoPath serves the download link that media/get hands out for videos.
	videoPath = "/wechatsim/video"
)

// mediaFile is one stored temporary media file.
type mediaFile struct {
	kind        string
	contentType string
	content     []byte
	created     time.Time
}

// AddMedia stores a temporary media file of kind image, voice, video, thumb or file, created now, and returns its media id.
func (a *API) AddMedia(kind string, content []byte, contentType string) (mediaID string) {
	if contentType == "" {
		contentType = defaultContentType(kind, content)
	}
	id := randomID(48)
	a.mu.Lock()
	defer a.mu.Unlock()
	a.st.media[id] = mediaFile{kind: kind, contentType: contentType, content: bytes.Clone(content), created: a.now()}
	return id
}

// defaultContentType guesses the MIME type WeChat would report for a file of kind.
func defaultContentType(kind string, content []byte) string {
	switch kind {
	case "voice":
		return "audio/amr"
	case "video":
		return "video/mp4"
	}
	return http.DetectContentType(content)
}

// lookupMedia returns a media file that exists and has not expired; expired files are forgotten.
func (a *API) lookupMedia(id string) (mediaFile, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	m, ok := a.st.media[id]
	if ok && a.now().Sub(m.created) > mediaLife {
		delete(a.st.media, id)
		return mediaFile{}, false
	}
	return m, ok
}

// serveMediaGet is GET /cgi-bin/media/get: the bytes as an attachment, a video_url for videos, or 40007.
func (a *API) serveMediaGet(w http.ResponseWriter, r *http.Request, _ App) {
	id := r.URL.Query().Get("media_id")
	m, ok := a.lookupMedia(id)
	switch {
	case !ok:
		a.writeErr(w, codeInvalidMediaID)
	case m.kind == "video":
		link := url.URL{Scheme: "http", Host: r.Host, Path: videoPath, RawQuery: url.Values{"media_id": {id}}.Encode()}
		a.writeJSON(w, map[string]string{"video_url": link.String()})
	default:
		writeMedia(w, id, m)
	}
}

// serveVideo is the download link of a video, needing no token as WeChat's CDN link does.
func (a *API) serveVideo(w http.ResponseWriter, r *http.Request, _ App) {
	id := r.URL.Query().Get("media_id")
	m, ok := a.lookupMedia(id)
	if !ok || m.kind != "video" {
		http.NotFound(w, r)
		return
	}
	writeMedia(w, id, m)
}

// writeMedia sends a file with WeChat's headers.
func writeMedia(w http.ResponseWriter, id string, m mediaFile) {
	h := w.Header()
	h.Set("Content-Type", m.contentType)
	h.Set("Content-disposition", `attachment; filename="`+id+"."+extension(m)+`"`)
	h.Set("Cache-Control", "no-cache, must-revalidate")
	_, _ = w.Write(m.content) // the client has gone if this fails
}

// extension is the file name extension WeChat gives a media file.
func extension(m mediaFile) string {
	switch m.contentType {
	case "image/png":
		return "png"
	case "image/gif":
		return "gif"
	case "audio/amr":
		return "amr"
	case "audio/mpeg", "audio/mp3":
		return "mp3"
	case "video/mp4":
		return "mp4"
	}
	if m.kind == "file" {
		return "bin"
	}
	return "jpg"
}

// uploadLimits are WeChat's size limits per temporary media type.
func uploadLimits() map[string]int {
	return map[string]int{"image": 10 << 20, "voice": 2 << 20, "video": 10 << 20, "thumb": 64 << 10, "file": 20 << 20}
}

// serveMediaUpload is POST /cgi-bin/media/upload?type=...: multipart field "media".
func (a *API) serveMediaUpload(w http.ResponseWriter, r *http.Request, _ App) {
	kind := r.URL.Query().Get("type")
	limit, ok := uploadLimits()[kind]
	if !ok {
		a.writeErr(w, codeInvalidMediaType)
		return
	}
	content, contentType, code := readUpload(w, r, limit)
	if code != codeOK {
		a.writeErr(w, code)
		return
	}
	id := a.AddMedia(kind, content, contentType)
	body := map[string]any{"type": kind, "created_at": a.now().Unix()}
	if kind == "thumb" {
		body["thumb_media_id"] = id
	} else {
		body["media_id"] = id
	}
	a.writeJSON(w, body)
}

// readUpload reads the "media" part of a multipart upload, up to limit bytes.
func readUpload(w http.ResponseWriter, r *http.Request, limit int) ([]byte, string, int) {
	r.Body = http.MaxBytesReader(w, r.Body, maxUpload)
	if err := r.ParseMultipartForm(2 * maxUpload); err != nil {
		return nil, "", codeMediaMissing
	}
	defer func() { _ = r.MultipartForm.RemoveAll() }() // temporary files only; nothing to report
	file, header, err := r.FormFile("media")
	if err != nil {
		return nil, "", codeMediaMissing
	}
	defer func() { _ = file.Close() }() // in-memory part; Close cannot fail meaningfully
	content, err := io.ReadAll(io.LimitReader(file, int64(limit)+1))
	if err != nil || len(content) == 0 {
		return nil, "", codeMediaMissing
	}
	if len(content) > limit {
		return nil, "", codeInvalidImageSize
	}
	return content, partType(header, content), codeOK
}

// partType is the part's declared Content-Type, or a sniffed one.
func partType(h *multipart.FileHeader, content []byte) string {
	if ct := h.Header.Get("Content-Type"); ct != "" && ct != "application/octet-stream" {
		return ct
	}
	return http.DetectContentType(content)
}
