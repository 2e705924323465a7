package bench

import (
	"context"
	"os"
	"testing"
	"time"

	"gridbot/store/storetest"
)

// TestNotifyOutage runs the delivery benchmark's outage phase for real: 3 s of faults while 100
// intents are produced, a token invalidated half-way; every intent must be shown exactly once
// and the token fetched once more. It needs MariaDB (GRIDBOT_TEST_MYSQL_DSN) and uses Redis at
// GRIDBOT_TEST_REDIS_URL, else the embedded one.
func TestNotifyOutage(t *testing.T) {
	dsn := os.Getenv(storetest.EnvMySQLDSN)
	if dsn == "" {
		storetest.Unavailable(t, storetest.EnvMySQLDSN+" is not set: the delivery benchmark needs MariaDB")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	env, err := OpenNotifyEnv(ctx, NotifyConfig{MySQL: dsn, Redis: os.Getenv(storetest.EnvRedisURL), Recipients: 40,
		Limiter: true, Poll: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := env.Close(context.Background()); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	}()
	res, err := env.Outage(ctx, 100, 3*time.Second, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Complete || !res.Tally.OK() || res.Tally.Produced != 101 {
		t.Fatalf("outage: complete %v, tally %+v, outbox %v", res.Complete, res.Tally, res.States)
	}
	if res.FaultCalls == 0 {
		t.Errorf("no send call met the outage")
	}
	if res.TokenFetchesAfter != res.TokenFetchesBefore+1 {
		t.Errorf("token fetches %d before invalidation, %d after: want exactly one refresh", res.TokenFetchesBefore, res.TokenFetchesAfter)
	}
	if res.States["sent"] != 101 || len(res.States) != 1 {
		t.Errorf("outbox %v, want 101 sent", res.States)
	}
}
