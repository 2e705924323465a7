package shared

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// The embedded Redis-compatible server keeps everything in memory, so a restart of a trial
// instance would lose the conversations in progress without a word. Persist keeps the string
// keys under the given prefixes in a file: read back at start, written every few seconds and
// when the server closes. A real Redis keeps them itself.

// persistEvery is how often the embedded server's kept keys are written to their file.
const persistEvery = 2 * time.Second

// keptKey is one string key in the snapshot file, with what is left of its time to live.
type keptKey struct {
	Key   string        `json:"key"`
	Value string        `json:"value"`
	TTL   time.Duration `json:"ttl,omitempty"` // 0: no expiry
}

// Persist keeps the embedded server's string keys that start with one of the prefixes in a file
// at path: they are loaded now, and saved every few seconds and at Close. It does nothing for a
// real server.
func (r *Redis) Persist(path string, prefixes ...string) error {
	if r.embedded == nil {
		return nil
	}
	if err := r.load(path); err != nil {
		return err
	}
	r.persistPath, r.persistPrefixes = path, prefixes
	return nil
}

// load restores the keys of a snapshot file; a missing file is an empty one.
func (r *Redis) load(path string) error {
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read embedded redis snapshot: %w", err)
	}
	var keys []keptKey
	if err := json.Unmarshal(raw, &keys); err != nil {
		return fmt.Errorf("read embedded redis snapshot %s: %w", path, err)
	}
	for _, k := range keys {
		if err := r.embedded.Set(k.Key, k.Value); err != nil {
			return fmt.Errorf("restore %s: %w", k.Key, err)
		}
		if k.TTL > 0 {
			r.embedded.SetTTL(k.Key, k.TTL)
		}
	}
	return nil
}

// save writes the kept keys to the snapshot file, replacing it whole.
func (r *Redis) save() error {
	if r.persistPath == "" {
		return nil
	}
	keys := []keptKey{}
	for _, k := range r.embedded.Keys() {
		if !r.kept(k) || r.embedded.Type(k) != "string" {
			continue
		}
		v, err := r.embedded.Get(k)
		if err != nil {
			continue // expired or changed type meanwhile
		}
		keys = append(keys, keptKey{Key: k, Value: v, TTL: r.embedded.TTL(k)})
	}
	raw, err := json.Marshal(keys)
	if err != nil {
		return fmt.Errorf("save embedded redis snapshot: %w", err)
	}
	tmp := r.persistPath + ".tmp"
	if err := os.MkdirAll(filepath.Dir(tmp), 0o750); err != nil {
		return fmt.Errorf("save embedded redis snapshot: %w", err)
	}
	if err := os.WriteFile(tmp, raw, 0o600); err != nil {
		return fmt.Errorf("save embedded redis snapshot: %w", err)
	}
	if err := os.Rename(tmp, r.persistPath); err != nil {
		return fmt.Errorf("save embedded redis snapshot: %w", err)
	}
	return nil
}

// kept reports whether a key is one Persist keeps.
func (r *Redis) kept(key string) bool {
	for _, p := range r.persistPrefixes {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}
