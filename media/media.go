// Package media downloads the photos and voice messages people send, right after they arrive
// (WeChat's media ids expire after 3 days), in a bounded pool of workers with retries, and keeps
// each file in the blob store with its sha256 and size on the attachment.
package media

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"

	"gridbot/blob"
	"gridbot/models"
)

// Store keeps attachment records, records fetch outcomes and finds attachments still to fetch.
type Store interface {
	// AddAttachment stores an attachment's record, not yet linked to a case.
	AddAttachment(ctx context.Context, a models.Attachment) (models.Attachment, error)
	RecordFetch(ctx context.Context, a models.Attachment) error
	UnfetchedAttachments(ctx context.Context, since time.Time, limit int) ([]models.Attachment, error)
}

// DownloadFunc fetches a media file from WeChat by its media id.
type DownloadFunc func(ctx context.Context, channel models.Channel, mediaID string) (data []byte, contentType string, err error)

// Config tunes the fetcher.
type Config struct {
	Blobs    blob.Store    // where files go, under the key media/YYYY/MM/<sha256>.<ext>
	Workers  int           // concurrent downloads
	Attempts int           // tries per file before it is marked failed
	Backoff  time.Duration // wait before the second try; doubles after
	Timeout  time.Duration // per try
}

// Fetcher downloads attachments in the background.
type Fetcher struct {
	cfg      Config
	store    Store
	download DownloadFunc
	log      *slog.Logger
	queue    chan models.Attachment
	wg       sync.WaitGroup
	stop     chan struct{}
	once     sync.Once
}

// New returns a fetcher; Start runs it.
func New(cfg Config, st Store, dl DownloadFunc, log *slog.Logger) *Fetcher {
	if cfg.Attempts == 0 {
		cfg.Attempts = 3
	}
	if cfg.Backoff == 0 {
		cfg.Backoff = time.Second
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 20 * time.Second
	}
	return &Fetcher{cfg: cfg, store: st, download: dl, log: log,
		queue: make(chan models.Attachment, 1024), stop: make(chan struct{})}
}

// Start runs the workers and queues what an earlier run left unfetched (younger than 3 days).
func (f *Fetcher) Start(ctx context.Context) error {
	for i := 0; i < max(f.cfg.Workers, 1); i++ {
		f.wg.Add(1)
		go f.work()
	}
	left, err := f.store.UnfetchedAttachments(ctx, time.Now().Add(-72*time.Hour), 1000)
	if err != nil {
		return fmt.Errorf("media: find unfetched: %w", err)
	}
	for _, a := range left {
		f.Enqueue(a)
	}
	return nil
}

// AddAttachment stores an attachment's record, not yet linked to a case; Enqueue fetches its file.
func (f *Fetcher) AddAttachment(ctx context.Context, a models.Attachment) (models.Attachment, error) {
	return f.store.AddAttachment(ctx, a)
}

// Enqueue asks for an attachment to be fetched; when the queue is full it is fetched at the
// next start instead.
func (f *Fetcher) Enqueue(a models.Attachment) {
	select {
	case f.queue <- a:
	default:
		f.log.Warn("media queue full; the file is fetched at the next start", "attachment_id", a.ID)
	}
}

// Close stops taking work and waits up to timeout for downloads in progress.
func (f *Fetcher) Close(timeout time.Duration) {
	f.once.Do(func() { close(f.stop) })
	done := make(chan struct{})
	go func() {
		f.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(timeout):
	}
}

// work fetches queued attachments until Close.
func (f *Fetcher) work() {
	defer f.wg.Done()
	for {
		select {
		case <-f.stop:
			return
		case a := <-f.queue:
			f.fetch(a)
		}
	}
}

// fetch downloads one attachment with retries and records the outcome.
func (f *Fetcher) fetch(a models.Attachment) {
	var err error
	wait := f.cfg.Backoff
	for attempt := 1; attempt <= f.cfg.Attempts; attempt++ {
		if err = f.try(&a); err == nil {
			break
		}
		if attempt < f.cfg.Attempts {
			select {
			case <-f.stop:
				return // not recorded: fetched again at the next start
			case <-time.After(wait):
			}
			wait *= 2
		}
	}
	if err != nil {
		a.FetchError = truncate(err.Error(), 500)
		f.log.Warn("media download failed", "attachment_id", a.ID, "err", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := f.store.RecordFetch(ctx, a); err != nil {
		f.log.Error("recording a media download failed", "attachment_id", a.ID, "err", err)
	}
}

// try downloads and stores the file once, filling in path, hash, type and size when it is stored.
func (f *Fetcher) try(a *models.Attachment) error {
	ctx, cancel := context.WithTimeout(context.Background(), f.cfg.Timeout)
	defer cancel()
	data, ctype, err := f.download(ctx, models.ChannelWeChat, a.MediaID)
	if err != nil {
		return err
	}
	if len(data) == 0 {
		return fmt.Errorf("media %s is empty", a.MediaID)
	}
	sum := sha256.Sum256(data)
	got := *a
	got.SHA256, got.Size = hex.EncodeToString(sum[:]), int64(len(data))
	got.MIMEType = mimeType(ctype, data)
	got.Path = path.Join("media", time.Now().Format("2006/01"), got.SHA256+extension(got.MIMEType))
	if err := f.cfg.Blobs.Put(ctx, got.Path, bytes.NewReader(data), got.Size, got.MIMEType); err != nil {
		return fmt.Errorf("store media: %w", err)
	}
	*a = got // only a stored file gets a path
	return nil
}

// mimeType takes the server's content type, or sniffs it.
func mimeType(ctype string, data []byte) string {
	if mt, _, err := mime.ParseMediaType(ctype); err == nil && mt != "" && mt != "application/octet-stream" {
		return mt
	}
	mt, _, _ := mime.ParseMediaType(http.DetectContentType(data))
	return mt
}

// extension picks a file extension for a MIME type.
func extension(mt string) string {
	switch mt {
	case "image/jpeg":
		return ".jpg"
	case "image/png":
		return ".png"
	case "image/gif":
		return ".gif"
	case "audio/amr":
		return ".amr"
	case "audio/speex", "audio/x-speex":
		return ".speex"
	case "audio/mpeg", "audio/mp3":
		return ".mp3"
	}
	return ".bin"
}

// truncate shortens s to n bytes at a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}
