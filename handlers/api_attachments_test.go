package handlers_test

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"testing"

	"gridbot/models"
)

// photo is a small real JPEG (SOI, a JFIF APP0 segment, EOI).
var photo = []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9")

// fetched records an attachment downloaded into the fixture's media store under key (no bytes when key is "").
func (f *fixture) fetched(key string, data []byte) models.Attachment {
	f.t.Helper()
	at, err := f.store.AddAttachment(ctx, models.Attachment{MediaID: "media-" + key, MIMEType: "image/jpeg"})
	if err != nil {
		f.t.Fatal(err)
	}
	if key == "" {
		return at
	}
	at.Path, at.SHA256, at.Size = key, "sha-"+key, int64(len(data))
	if err := f.store.RecordFetch(ctx, at); err != nil {
		f.t.Fatal(err)
	}
	if data != nil {
		if err := f.media.Put(ctx, key, bytes.NewReader(data), int64(len(data)), "image/jpeg"); err != nil {
			f.t.Fatal(err)
		}
	}
	return at
}

// raw calls the API as one of the test's people and returns the status, headers and body bytes.
func (f *fixture) raw(code, path string) (int, http.Header, []byte) {
	f.t.Helper()
	req, err := http.NewRequest("GET", f.url+path, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+f.tokens[code])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, body
}

func TestAPIAttachmentFile(t *testing.T) {
	eachAPI(t, func(t *testing.T, f *fixture) {
		good := f.fetched("media/2026/12/good.jpg", photo)
		pending := f.fetched("", nil)
		lost := f.fetched("media/2026/12/lost.jpg", nil) // recorded, but its bytes are not in the store
		other := f.fetched("media/2026/12/other.jpg", photo)
		c := f.submit(draft{matter: "CG-001", township: "anhai", attachments: []int64{good.ID, pending.ID, lost.ID}})
		f.submit(draft{matter: "CG-001", township: "anhai", attachments: []int64{other.ID}})
		base := "/api/v1/cases/" + c.TrackingNo + "/attachments/"
		id := func(a models.Attachment) string { return strconv.FormatInt(a.ID, 10) }

		tests := []struct {
			name   string
			who    string
			path   string
			status int
			body   []byte
		}{
			{"operator reads the photo", operator, base + id(good), 200, photo},
			{"the team's officer reads it", anhaiOfficer, base + id(good), 200, photo},
			{"another team's officer does not see the case", cizaoOfficer, base + id(good), 404, nil},
			{"not downloaded yet", operator, base + id(pending), 404, nil},
			{"bytes missing from the store", operator, base + id(lost), 404, nil},
			{"another case's attachment", operator, base + id(other), 404, nil},
			{"unknown id", operator, base + "999999", 404, nil},
			{"id not a number", operator, base + "x", 400, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				status, header, body := f.raw(tt.who, tt.path)
				if status != tt.status {
					t.Fatalf("status %d, want %d: %s", status, tt.status, body)
				}
				if tt.body == nil {
					return
				}
				if !bytes.Equal(body, tt.body) || header.Get("Content-Type") != "image/jpeg" ||
					header.Get("ETag") != `"`+good.SHA256+`"` {
					t.Errorf("got %q, %v; want the photo as image/jpeg with its sha256", body, header)
				}
			})
		}
	})
}
