package batch_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gridbot/batch"
)

func TestGroup(t *testing.T) {
	tests := []struct {
		name    string
		callers int
		slow    time.Duration // each flush takes this long, so that callers queue behind it
	}{
		{"a lone caller flushes alone", 1, 0},
		{"concurrent callers share batches", 64, 5 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			flushed := make([]atomic.Int32, tt.callers)
			var batches atomic.Int32
			g := batch.NewGroup(func(items []int) {
				batches.Add(1)
				time.Sleep(tt.slow)
				for _, i := range items {
					flushed[i].Add(1)
				}
			})
			var wg sync.WaitGroup
			for i := range tt.callers {
				wg.Go(func() {
					g.Do(i)
					if n := flushed[i].Load(); n != 1 {
						t.Errorf("Do(%d) returned with its item flushed %d times, want 1", i, n)
					}
				})
			}
			wg.Wait()
			if n := batches.Load(); tt.callers > 1 && n >= int32(tt.callers) {
				t.Errorf("%d batches for %d concurrent callers, want them shared", n, tt.callers)
			}
			if tt.callers == 1 && batches.Load() != 1 {
				t.Errorf("%d batches for one caller, want 1", batches.Load())
			}
		})
	}
}
