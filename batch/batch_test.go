package batch_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"gridbot/batch"
)

// recorder keeps the batches a loop flushed.
type recorder struct {
	mu      sync.Mutex
	batches [][]int
}

func (r *recorder) flush(b []int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.batches = append(r.batches, slices.Clone(b))
}

func (r *recorder) items() []int {
	r.mu.Lock()
	defer r.mu.Unlock()
	var all []int
	for _, b := range r.batches {
		all = append(all, b...)
	}
	slices.Sort(all)
	return all
}

func TestLoop(t *testing.T) {
	tests := []struct {
		name     string
		cfg      batch.Config
		start    bool
		items    int
		maxBatch int // no batch may exceed this
		batches  int // exact batch count when > 0
	}{
		{"queued before start go in batches of Max", batch.Config{Max: 4, Queue: 10}, true, 10, 4, 3},
		{"a lone item waits for company", batch.Config{Max: 8, Wait: 50 * time.Millisecond, Queue: 8}, true, 5, 8, 1},
		{"close without start flushes the queue", batch.Config{Max: 3, Queue: 7}, false, 7, 3, 3},
		{"enough goes without waiting", batch.Config{Max: 8, Enough: 2, Wait: time.Hour, Queue: 8}, true, 2, 8, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &recorder{}
			l := batch.New(tt.cfg, r.flush)
			for i := range tt.items {
				if err := l.Add(context.Background(), i); err != nil {
					t.Fatalf("Add(%d) = %v", i, err)
				}
			}
			if tt.start {
				l.Start()
			}
			if !l.Close(5 * time.Second) {
				t.Fatal("Close timed out")
			}
			if got, want := r.items(), seq(tt.items); !slices.Equal(got, want) {
				t.Fatalf("flushed %v, want %v", got, want)
			}
			for _, b := range r.batches {
				if len(b) > tt.maxBatch {
					t.Errorf("batch of %d, want at most %d", len(b), tt.maxBatch)
				}
			}
			if tt.batches > 0 && len(r.batches) != tt.batches {
				t.Errorf("%d batches %v, want %d", len(r.batches), r.batches, tt.batches)
			}
		})
	}
}

func TestLoopWaitsThenFlushes(t *testing.T) {
	r := &recorder{}
	l := batch.New(batch.Config{Max: 8, Wait: 20 * time.Millisecond}, r.flush)
	l.Start()
	defer l.Close(time.Second)
	start := time.Now()
	if err := l.Add(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	for len(r.items()) == 0 {
		if time.Since(start) > 2*time.Second {
			t.Fatal("a lone item was never flushed")
		}
		time.Sleep(time.Millisecond)
	}
	if d := time.Since(start); d < 20*time.Millisecond {
		t.Errorf("flushed after %v, want a wait of 20ms first", d)
	}
}

func TestLoopAddAfterCloseAndWhenFull(t *testing.T) {
	l := batch.New(batch.Config{Max: 1, Queue: 1}, func([]int) {})
	if err := l.Add(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if err := l.Add(ctx, 2); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Add to a full queue = %v, want the deadline", err)
	}
	l.Close(time.Second)
	if err := l.Add(context.Background(), 3); !errors.Is(err, batch.ErrClosed) {
		t.Errorf("Add after Close = %v, want ErrClosed", err)
	}
}

func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

func TestLoopAddDoesNotAllocate(t *testing.T) {
	l := batch.New(batch.Config{Max: 64, Queue: 1024}, func([]int) {})
	l.Start()
	defer l.Close(time.Second)
	ctx := context.Background()
	if n := testing.AllocsPerRun(1000, func() { _ = l.Add(ctx, 1) }); n != 0 {
		t.Errorf("Add allocates %v times per item, want 0", n)
	}
}
