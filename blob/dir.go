package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"os"
	"path"
	"path/filepath"
)

// Dir keeps blobs as files under a root directory: key "media/a.jpg" is the file root/media/a.jpg.
type Dir struct {
	root string
}

// NewDir returns a store of files under root, which is created when missing.
func NewDir(root string) (*Dir, error) {
	if err := os.MkdirAll(root, 0o750); err != nil {
		return nil, fmt.Errorf("blob: open directory: %w", err)
	}
	return &Dir{root: root}, nil
}

// file is the path of key's file.
func (d *Dir) file(key string) string {
	return filepath.Join(d.root, filepath.FromSlash(key))
}

// Put writes the blob atomically: a temporary file in the same directory, then a rename.
func (d *Dir) Put(ctx context.Context, key string, r io.Reader, size int64, _ string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	name := d.file(key)
	if err := os.MkdirAll(filepath.Dir(name), 0o750); err != nil {
		return fmt.Errorf("blob: put %s: %w", key, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(name), ".part-*")
	if err != nil {
		return fmt.Errorf("blob: put %s: %w", key, err)
	}
	if err := copyExactly(tmp, r, size); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("blob: put %s: %w", key, err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("blob: put %s: %w", key, err)
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("blob: put %s: %w", key, err)
	}
	return nil
}

// copyExactly copies r to w and fails unless it carried size bytes (size < 0: any length).
func copyExactly(w io.Writer, r io.Reader, size int64) error {
	n, err := io.Copy(w, r)
	if err != nil {
		return err
	}
	if size >= 0 && n != size {
		return fmt.Errorf("read %d bytes, expected %d", n, size)
	}
	return nil
}

// Get opens key's file.
func (d *Dir) Get(_ context.Context, key string) (io.ReadCloser, Info, error) {
	if err := checkKey(key); err != nil {
		return nil, Info{}, err
	}
	f, err := os.Open(d.file(key))
	if err != nil {
		return nil, Info{}, d.fail("get", key, err)
	}
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		f.Close()
		return nil, Info{}, notFound(key, err)
	}
	return f, info(key, st), nil
}

// Stat describes key's file.
func (d *Dir) Stat(_ context.Context, key string) (Info, error) {
	if err := checkKey(key); err != nil {
		return Info{}, err
	}
	st, err := os.Stat(d.file(key))
	if err != nil {
		return Info{}, d.fail("stat", key, err)
	}
	if !st.Mode().IsRegular() {
		return Info{}, notFound(key, nil)
	}
	return info(key, st), nil
}

// Delete removes key's file.
func (d *Dir) Delete(_ context.Context, key string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	if err := os.Remove(d.file(key)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("blob: delete %s: %w", key, err)
	}
	return nil
}

// Ping checks that the root is a directory.
func (d *Dir) Ping(context.Context) error {
	st, err := os.Stat(d.root)
	if err != nil {
		return fmt.Errorf("blob: directory: %w", err)
	}
	if !st.IsDir() {
		return fmt.Errorf("blob: %s is not a directory", d.root)
	}
	return nil
}

// fail turns a missing file into models.ENotFound and wraps other errors.
func (d *Dir) fail(op, key string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return notFound(key, err)
	}
	return fmt.Errorf("blob: %s %s: %w", op, key, err)
}

// info describes a file, its type guessed from the key's extension.
func info(key string, st fs.FileInfo) Info {
	ct := mime.TypeByExtension(path.Ext(key))
	if ct == "" {
		ct = "application/octet-stream"
	}
	return Info{Size: st.Size(), ContentType: ct}
}
