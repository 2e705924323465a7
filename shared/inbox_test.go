package shared_test

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"gridbot/models"
	"gridbot/shared"
	"gridbot/store/storetest"
)

// newInbox is the inbox's shared state on a Redis of its own key prefix (a real server when
// configured), with its raw client for looking at keys.
func newInbox(t testing.TB) (*shared.Inbox, *redis.Client, string) {
	t.Helper()
	rdb, prefix := storetest.Redis(t)
	return shared.NewInbox(rdb.Client, nil, shared.InboxConfig{KeyPrefix: prefix, Window: time.Minute}), rdb.Client, prefix
}

// text is a text message with an id.
func text(id int64) models.Inbound {
	return models.Inbound{Channel: models.ChannelWeChat, OpenID: "oShared", MsgID: id, MsgType: models.MsgText,
		Content: "x", CreateTime: 1700000000}
}

// nonce is a callback nonce with a body digest.
func nonce(n, digest string) models.CallbackNonce {
	return models.CallbackNonce{Timestamp: "1700000000", Nonce: n, Digest: digest}
}

// preparer counts what it prepared and what was dropped, and queues one INCR on the admission's
// pipeline to show that it runs in the same round trip.
type preparer struct {
	key      string
	prepared atomic.Int32
	dropped  atomic.Int32
	incr     *redis.IntCmd
}

func (p *preparer) Prepare(ctx context.Context, pipe shared.Pipe, _ models.Inbound) shared.Prepared {
	p.prepared.Add(1)
	p.incr = shared.PipelinerOf(pipe).Incr(ctx, p.key)
	return dropCounter{p}
}

// dropCounter is what preparer prepared.
type dropCounter struct{ p *preparer }

func (d dropCounter) Attach(ctx context.Context) context.Context { return ctx }
func (d dropCounter) Drop()                                      { d.p.dropped.Add(1) }

func TestAdmitVerdicts(t *testing.T) {
	x, raw, prefix := newInbox(t)
	ctx := context.Background()
	in := text(1)
	key := in.DedupKey()
	claimKey := prefix + "inbox:claim:" + key
	var first shared.Claim
	steps := []struct {
		name      string
		before    func(t *testing.T)
		nonce     models.CallbackNonce
		want      shared.Verdict
		reply     string
		claimHeld bool // the claim key exists afterwards
		drops     int32
	}{
		{name: "a new message is claimed", nonce: nonce("n1", "d1"), want: shared.Claimed, claimHeld: true},
		{name: "its retry while claimed waits for the claimer", nonce: nonce("n1", "d1"), want: shared.Taken,
			claimHeld: true, drops: 1},
		{name: "a new nonce for the same message waits too", nonce: nonce("n2", "d1"), want: shared.Taken,
			claimHeld: true, drops: 2},
		{name: "the nonce with another body is a replay", nonce: nonce("n1", "other"), want: shared.Replayed,
			claimHeld: true, drops: 3},
		{name: "a replay takes no claim", before: func(t *testing.T) { release(t, x, first) },
			nonce: nonce("n1", "other"), want: shared.Replayed, drops: 4},
		{name: "a finished message answers its reply and keeps no claim", before: func(t *testing.T) {
			if err := x.StoreReplies(ctx, []models.InboxOutcome{{DedupKey: key, Reply: "已收到"}}); err != nil {
				t.Fatal(err)
			}
		}, nonce: nonce("n3", "d1"), want: shared.Finished, reply: "已收到", drops: 5},
	}
	p := &preparer{key: prefix + "prepared"}
	for i, st := range steps {
		if st.before != nil {
			st.before(t)
		}
		adm, err := x.Admit(ctx, in, st.nonce, key, p)
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if adm.Verdict != st.want || adm.Reply != st.reply {
			t.Errorf("%s: verdict %d reply %q, want %d %q", st.name, adm.Verdict, adm.Reply, st.want, st.reply)
		}
		if got := adm.Claim.Held(); got != (st.want == shared.Claimed) {
			t.Errorf("%s: claim held = %v", st.name, got)
		}
		if (adm.Prepared != nil) != (st.want == shared.Claimed) {
			t.Errorf("%s: prepared = %v", st.name, adm.Prepared)
		}
		if n, err := raw.Exists(ctx, claimKey).Result(); err != nil || (n == 1) != st.claimHeld {
			t.Errorf("%s: claim key exists = %d (%v), want %v", st.name, n, err, st.claimHeld)
		}
		if got := p.dropped.Load(); got != st.drops {
			t.Errorf("%s: %d prepared dropped, want %d", st.name, got, st.drops)
		}
		// The preparer's command ran in the admission's round trip: its result is there.
		if v, err := p.incr.Result(); err != nil || v != int64(i+1) {
			t.Errorf("%s: the preparer's INCR = %d, %v", st.name, v, err)
		}
		if i == 0 {
			first = adm.Claim
		}
	}
}

// release releases a claim or fails the test.
func release(t *testing.T, x *shared.Inbox, c shared.Claim) {
	t.Helper()
	if err := x.Release(context.Background(), c); err != nil {
		t.Fatal(err)
	}
}

func TestReleaseLeavesAnotherHoldersClaim(t *testing.T) {
	x, raw, prefix := newInbox(t)
	ctx := context.Background()
	in := text(2)
	key := in.DedupKey()
	adm, err := x.Admit(ctx, in, nonce("n", "d"), key, nil)
	if err != nil || adm.Verdict != shared.Claimed {
		t.Fatalf("Admit = %+v, %v", adm, err)
	}
	late := adm.Claim
	// The late worker's claim expires and the retry loop claims the message again.
	raw.Del(ctx, prefix+"inbox:claim:"+key)
	next, ok, err := x.TakeClaim(ctx, key)
	if err != nil || !ok {
		t.Fatalf("TakeClaim after expiry = %v, %v", ok, err)
	}
	release(t, x, late) // the late worker finishes and lets go of what it thinks is its claim
	if _, ok, err := x.TakeClaim(ctx, key); err != nil || ok {
		t.Fatalf("a third claim after the late release = %v, %v: the late worker dropped the next holder's claim", ok, err)
	}
	release(t, x, next)
	third, ok, err := x.TakeClaim(ctx, key)
	if err != nil || !ok {
		t.Fatalf("a claim after its holder's release = %v, %v", ok, err)
	}
	release(t, x, third)
	release(t, x, shared.Claim{}) // no claim: nothing to do
}

func TestClaimTokensDiffer(t *testing.T) {
	x, raw, prefix := newInbox(t)
	other := shared.NewInbox(raw, nil, shared.InboxConfig{KeyPrefix: prefix, Window: time.Minute})
	ctx := context.Background()
	seen := map[string]bool{}
	for i, inst := range []*shared.Inbox{x, x, other, other} {
		key := "k" + strconv.Itoa(i)
		if _, ok, err := inst.TakeClaim(ctx, key); err != nil || !ok {
			t.Fatalf("TakeClaim %s = %v, %v", key, ok, err)
		}
		token, err := raw.Get(ctx, prefix+"inbox:claim:"+key).Result()
		if err != nil {
			t.Fatal(err)
		}
		if seen[token] {
			t.Fatalf("claim token %s given twice", token)
		}
		seen[token] = true
	}
}

func TestRepliesAndLateMarks(t *testing.T) {
	x, raw, prefix := newInbox(t)
	ctx := context.Background()
	cases := []struct {
		name      string
		key       string
		reply     *string // stored with StoreReplies
		late      bool    // marked late
		wantReply string
		wantOver  bool
	}{
		{name: "nothing known yet", key: "a"},
		{name: "a reply", key: "b", reply: ptr("好的"), wantReply: "好的", wantOver: true},
		{name: "an empty reply", key: "c", reply: ptr(""), wantOver: true},
		{name: "delivered late", key: "d", late: true, wantOver: true},
		{name: "a reply delivered late", key: "e", reply: ptr("晚到"), late: true, wantOver: true},
	}
	for _, c := range cases {
		if c.reply != nil {
			if err := x.StoreReplies(ctx, []models.InboxOutcome{{DedupKey: c.key, Reply: *c.reply}}); err != nil {
				t.Fatal(err)
			}
		}
		if c.late {
			if err := x.MarkLate(ctx, c.key); err != nil {
				t.Fatal(err)
			}
		}
		reply, over, err := x.Outcome(ctx, c.key)
		if err != nil || reply != c.wantReply || over != c.wantOver {
			t.Errorf("%s: Outcome = %q %v %v, want %q %v", c.name, reply, over, err, c.wantReply, c.wantOver)
		}
		known, ok, err := x.Reply(ctx, c.key)
		if err != nil || ok != (c.reply != nil) || (c.reply != nil && known != *c.reply) {
			t.Errorf("%s: Reply = %q %v %v", c.name, known, ok, err)
		}
	}
	// Replies and late marks are kept for twice the window.
	for _, k := range []string{"inbox:reply:b", "inbox:late:d"} {
		if ttl, err := raw.TTL(ctx, prefix+k).Result(); err != nil || ttl <= time.Minute || ttl > 2*time.Minute {
			t.Errorf("TTL of %s = %v, %v", k, ttl, err)
		}
	}
}

// ptr returns a pointer to s.
func ptr(s string) *string { return &s }

func TestAdmitWithRedisDown(t *testing.T) {
	down := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: 100 * time.Millisecond})
	defer down.Close()
	x := shared.NewInbox(down, nil, shared.InboxConfig{KeyPrefix: "down:", Window: time.Minute})
	p := &preparer{key: "down:prepared"}
	in := text(3)
	adm, err := x.Admit(context.Background(), in, nonce("n", "d"), in.DedupKey(), p)
	if models.ErrorCodeOf(err) != models.EUnavailable {
		t.Fatalf("Admit with Redis down = %+v, %v; want unavailable", adm, err)
	}
	if p.prepared.Load() != 1 || p.dropped.Load() != 1 {
		t.Fatalf("prepared %d, dropped %d: what was prepared must be dropped", p.prepared.Load(), p.dropped.Load())
	}
}

// BenchmarkAdmit measures the admission of a new message with a Preparer, the webhook's Redis
// round trip.
func BenchmarkAdmit(b *testing.B) {
	x, _, prefix := newInbox(b)
	p := &preparer{key: prefix + "prepared"}
	ctx := context.Background()
	in := text(0)
	b.ReportAllocs()
	for b.Loop() {
		in.MsgID++
		adm, err := x.Admit(ctx, in, nonce(strconv.FormatInt(in.MsgID, 10), "d"), in.DedupKey(), p)
		if err != nil || adm.Verdict != shared.Claimed {
			b.Fatalf("Admit = %+v, %v", adm, err)
		}
	}
}
