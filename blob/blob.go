// Package blob keeps attachments' bytes (photos and voice) by key, in a local directory or in an
// S3-compatible object store, so that any instance reads what another one wrote.
package blob

import (
	"context"
	"io"
	"io/fs"

	"gridbot/models"
)

// Store keeps blobs by key. Keys are slash-separated relative paths such as
// "media/2026/12/<sha256>.jpg", the value of models.Attachment.Path.
type Store interface {
	// Put writes the blob of size bytes read from r under key, replacing any blob there;
	// models.EInvalid for a bad key.
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error
	// Get opens the blob under key, which the caller closes; models.ENotFound when there is none.
	Get(ctx context.Context, key string) (io.ReadCloser, Info, error)
	// Stat describes the blob under key; models.ENotFound when there is none.
	Stat(ctx context.Context, key string) (Info, error)
	// Delete removes the blob under key; a missing blob is no error.
	Delete(ctx context.Context, key string) error
	// Ping reports whether the store can be reached (the directory exists, the bucket answers).
	Ping(ctx context.Context) error
}

// Info describes a stored blob.
type Info struct {
	Size        int64  // bytes
	ContentType string // as given to Put (S3), or guessed from the key's extension (Dir)
}

// checkKey refuses keys that are not clean relative paths.
func checkKey(key string) error {
	if key == "" || key == "." || !fs.ValidPath(key) {
		return models.Errorf(models.EInvalid, "blob key %q is not a clean relative path", key)
	}
	return nil
}

// notFound is the error for a missing blob.
func notFound(key string, cause error) error {
	return models.WrapError(models.ENotFound, cause, "no blob %q", key)
}
