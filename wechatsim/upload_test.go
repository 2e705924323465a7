package wechatsim

import (
	"bytes"
	"context"
	"errors"
	"testing"
)

// upload is one call the UploadMedia hook received.
type upload struct {
	kind, contentType string
	content           []byte
}

func TestUploadMediaHookNamesTheSentMedia(t *testing.T) {
	ctx := context.Background()
	voice := []byte("#!AMR\n\x7c\x7c")
	tests := []struct {
		name        string
		send        func(p *Phone) (Reply, error)
		wantUploads []upload
	}{
		{"image", func(p *Phone) (Reply, error) { return p.SendImage(ctx, []byte("\xff\xd8\xff photo")) },
			[]upload{{"image", "", []byte("\xff\xd8\xff photo")}}},
		{"voice", func(p *Phone) (Reply, error) { return p.SendVoice(ctx, voice, "占道经营") },
			[]upload{{"voice", "audio/amr", voice}}},
		{"video", func(p *Phone) (Reply, error) { return p.SendVideo(ctx, []byte("mp4")) },
			[]upload{{"video", "video/mp4", []byte("mp4")}, {"thumb", "image/jpeg", []byte(thumbJPEG)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []upload
			hook := func(_ context.Context, kind string, content []byte, contentType string) (string, error) {
				got = append(got, upload{kind, contentType, content})
				return "remote-" + kind, nil
			}
			cb, p := newPair(t, mode{name: "plain"}, PhoneConfig{UploadMedia: hook})
			reply, err := tt.send(p)
			if err != nil {
				t.Fatal(err)
			}
			if reply.Inbound.MediaID != "remote-"+tt.name || len(cb.requests()) != 1 ||
				cb.requests()[0].Msg.MediaID != "remote-"+tt.name {
				t.Fatalf("media id sent %q, callback saw %+v", reply.Inbound.MediaID, cb.requests())
			}
			if len(got) != len(tt.wantUploads) {
				t.Fatalf("uploads %+v, want %+v", got, tt.wantUploads)
			}
			for i, w := range tt.wantUploads {
				if got[i].kind != w.kind || got[i].contentType != w.contentType || !bytes.Equal(got[i].content, w.content) {
					t.Errorf("upload %d = %+v, want %+v", i, got[i], w)
				}
			}
		})
	}
}

func TestUploadMediaHookFailureSendsNothing(t *testing.T) {
	boom := errors.New("sandbox unreachable")
	hook := func(context.Context, string, []byte, string) (string, error) { return "", boom }
	cb, p := newPair(t, mode{name: "safe", safe: true}, PhoneConfig{UploadMedia: hook})
	if _, err := p.SendImage(context.Background(), []byte("\xff\xd8\xff")); !errors.Is(err, boom) {
		t.Fatalf("SendImage error = %v, want the hook's", err)
	}
	if n := len(cb.requests()); n != 0 {
		t.Fatalf("the callback got %d requests after a failed upload", n)
	}
}

func TestAPIWinsOverUploadMediaHook(t *testing.T) {
	f := newAPIFixture(t)
	hook := func(context.Context, string, []byte, string) (string, error) {
		t.Error("UploadMedia called although API is set")
		return "", nil
	}
	_, p := newPair(t, mode{name: "plain"}, PhoneConfig{API: f.api, UploadMedia: hook, Now: f.clock.Now})
	reply, err := p.SendImage(context.Background(), []byte("\xff\xd8\xff photo"))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := f.api.lookupMedia(reply.Inbound.MediaID); !ok {
		t.Fatalf("media %q not stored with the API", reply.Inbound.MediaID)
	}
}
