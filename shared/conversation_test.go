package shared_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"gridbot/models"
	"gridbot/shared"
	"gridbot/store/storetest"
)

// newConversations is the conversations' shared state on a Redis of its own key prefix, with
// its raw client for looking at keys.
func newConversations(t testing.TB) (*shared.Conversations, *redis.Client, string) {
	t.Helper()
	rdb, prefix := storetest.Redis(t)
	return shared.NewConversations(rdb.Client, nil, shared.ConversationConfig{KeyPrefix: prefix, Keep: time.Hour}),
		rdb.Client, prefix
}

func TestConversationTurn(t *testing.T) {
	c, raw, prefix := newConversations(t)
	ctx := context.Background()
	first, err := c.Lock(ctx, models.ChannelWeChat, "oA")
	if err != nil {
		t.Fatal(err)
	}
	if !first.Read || first.Conversation != nil || first.Gen != "" || first.Person != nil {
		t.Fatalf("first turn read %+v, want nothing stored", first)
	}
	busy, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := c.Lock(busy, models.ChannelWeChat, "oA"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second Lock while held = %v, want the context's deadline", err)
	}
	released, err := first.Save(ctx, []byte(`{"kind":"complaint"}`), []byte(`{"gen":""}`), time.Minute)
	if err != nil || !released {
		t.Fatalf("Save = %v, %v", released, err)
	}
	if ttl := raw.TTL(ctx, prefix+"conv:oA").Val(); ttl <= 59*time.Minute || ttl > time.Hour {
		t.Errorf("conversation TTL = %v, want the configured hour", ttl)
	}
	if ttl := raw.TTL(ctx, prefix+"person:wechat:oA").Val(); ttl <= 59*time.Second || ttl > time.Minute {
		t.Errorf("cached person TTL = %v, want a minute", ttl)
	}
	if err := c.ForgetPeople(ctx); err != nil {
		t.Fatal(err)
	}
	second, err := c.Lock(ctx, models.ChannelWeChat, "oA")
	if err != nil {
		t.Fatalf("Lock after Save = %v: Save did not release", err)
	}
	if string(second.Conversation) != `{"kind":"complaint"}` || second.Gen != "1" || string(second.Person) != `{"gen":""}` {
		t.Fatalf("second turn read %q %q %q", second.Conversation, second.Gen, second.Person)
	}
	if _, err := second.Save(ctx, nil, nil, time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, found, err := c.Read(ctx, "oA"); err != nil || found {
		t.Fatalf("Read after saving nil = %v, %v; want the conversation dropped", found, err)
	}
	if n := raw.Exists(ctx, prefix+"lock:oA").Val(); n != 0 {
		t.Fatal("the lock is still held after Save")
	}
}

func TestConversationLockPreparedOnAdmission(t *testing.T) {
	rdb, prefix := storetest.Redis(t)
	c := shared.NewConversations(rdb.Client, nil, shared.ConversationConfig{KeyPrefix: prefix, Keep: time.Hour})
	x := shared.NewInbox(rdb.Client, nil, shared.InboxConfig{KeyPrefix: prefix, Window: time.Minute})
	ctx := context.Background()
	if err := c.Write(ctx, "oShared", []byte("conv")); err != nil {
		t.Fatal(err)
	}
	p := &lockPreparer{c: c}
	adm, err := x.Admit(ctx, text(1), nonce("n1", "d"), text(1).DedupKey(), p)
	if err != nil || adm.Verdict != shared.Claimed {
		t.Fatalf("Admit = %+v, %v", adm, err)
	}
	turn, ok, err := p.try.Result()
	if err != nil || !ok || string(turn.Conversation) != "conv" {
		t.Fatalf("prepared lock = %+v, %v, %v; want it taken with the conversation read", turn, ok, err)
	}
	turn.Release(ctx, nil, 0)
	// A replayed nonce drops what was prepared: the lock is let go again.
	adm, err = x.Admit(ctx, text(2), nonce("n1", "other"), text(2).DedupKey(), p)
	if err != nil || adm.Verdict != shared.Replayed {
		t.Fatalf("Admit of a replay = %+v, %v", adm, err)
	}
	if n := rdb.Client.Exists(ctx, prefix+"lock:oShared").Val(); n != 0 {
		t.Fatal("a dropped lock attempt kept the lock")
	}
}

// lockPreparer takes the sender's conversation lock on the admission's pipeline, as the bot does.
type lockPreparer struct {
	c   *shared.Conversations
	try *shared.LockAttempt
}

func (p *lockPreparer) Prepare(ctx context.Context, pipe shared.Pipe, in models.Inbound) shared.Prepared {
	p.try = p.c.PrepareLock(ctx, pipe, in.Channel, in.OpenID)
	return lockDropper{p.try}
}

// lockDropper is what lockPreparer prepared.
type lockDropper struct{ try *shared.LockAttempt }

func (d lockDropper) Attach(ctx context.Context) context.Context { return ctx }
func (d lockDropper) Drop()                                      { d.try.Drop(context.Background()) }

func TestStaffMarks(t *testing.T) {
	c, _, _ := newConversations(t)
	ctx := context.Background()
	if v, err := c.Focus(ctx, "oS"); err != nil || v != "" {
		t.Fatalf("Focus before any = %q, %v", v, err)
	}
	if err := c.SetFocus(ctx, "oS", "no|1|list", time.Hour); err != nil {
		t.Fatal(err)
	}
	if v, err := c.Focus(ctx, "oS"); err != nil || v != "no|1|list" {
		t.Fatalf("Focus = %q, %v", v, err)
	}
	if err := c.SavePending(ctx, "oS", []byte(`{"word":"办结"}`), time.Hour); err != nil {
		t.Fatal(err)
	}
	if v, found, err := c.TakePending(ctx, "oS"); err != nil || !found || string(v) != `{"word":"办结"}` {
		t.Fatalf("TakePending = %q, %v, %v", v, found, err)
	}
	if _, found, err := c.TakePending(ctx, "oS"); err != nil || found {
		t.Fatalf("second TakePending = %v, %v; want it taken already", found, err)
	}
	if _, found, err := c.Attach(ctx, "oS"); err != nil || found {
		t.Fatalf("Attach before any = %v, %v", found, err)
	}
	if err := c.SetAttach(ctx, "oS", "1:2:no", time.Hour); err != nil {
		t.Fatal(err)
	}
	if v, found, err := c.Attach(ctx, "oS"); err != nil || !found || v != "1:2:no" {
		t.Fatalf("Attach = %q, %v, %v", v, found, err)
	}
	if _, counted := c.BindFailures(ctx, "oS"); counted {
		t.Fatal("binding failures counted before any")
	}
	for range 2 {
		if err := c.CountBindFailure(ctx, "oS"); err != nil {
			t.Fatal(err)
		}
	}
	if n, counted := c.BindFailures(ctx, "oS"); !counted || n != 2 {
		t.Fatalf("BindFailures = %d, %v; want 2", n, counted)
	}
	c.ForgetBindFailures(ctx, "oS")
	if _, counted := c.BindFailures(ctx, "oS"); counted {
		t.Fatal("binding failures still counted after ForgetBindFailures")
	}
}

// BenchmarkConversationTurn is a turn's Redis work: the lock with its reads, then the save that
// releases it (two round trips).
func BenchmarkConversationTurn(b *testing.B) {
	c, _, _ := newConversations(b)
	ctx := context.Background()
	conv := []byte(`{"kind":"complaint","awaiting":"description","last_active":"2026-12-04T20:00:00Z"}`)
	b.ReportAllocs()
	for b.Loop() {
		t, err := c.Lock(ctx, models.ChannelWeChat, "oBench")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := t.Save(ctx, conv, nil, time.Minute); err != nil {
			b.Fatal(err)
		}
	}
}
