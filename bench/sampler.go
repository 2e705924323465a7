package bench

import (
	"context"
	"errors"
	"os"
	"sync"
	"time"
)

// ServerStats is what the benchmark saw of a server process: memory, and CPU in the window.
type ServerStats struct {
	PID          int                `json:"pid"`
	PeakRSSBytes int64              `json:"peak_rss_bytes"` // VmHWM after the run: the process's peak
	RSSBytes     int64              `json:"rss_bytes"`      // VmRSS after the run
	CPUCores     float64            `json:"cpu_cores"`      // CPU used in the measured window, in cores
	OthersCPU    map[string]float64 `json:"others_cpu_cores,omitempty"`
	MachineCPU   float64            `json:"machine_cpu_cores"` // every process on the machine, generator included
	// Bystanders are the busiest processes besides the server, the watched ones and the
	// generator: other work on the machine that competed for its CPUs during the window.
	Bystanders []ProcCPU `json:"bystanders,omitempty"`
}

// Sampler measures a server process and the servers it uses (the database and Redis) during
// the measured window, or over several windows (the rounds of a run) taken together.
type Sampler struct {
	mu     sync.Mutex
	pid    int
	pids   map[string][]int
	start  map[int]cpuTime
	mstart cpuTime
	procs  procSnapshot
	used   map[int]time.Duration // CPU time of each watched process in the windows closed so far
	mused  time.Duration         // the machine's busy CPU time in them
	wall   time.Duration         // their length
	stats  ServerStats
	failed []error
}

// NewSampler watches pid (0 for none) and the servers listening on the ports named, e.g.
// {"mariadbd": 3306, "redis-server": 6379}; a port nobody listens on is left out.
func NewSampler(pid int, ports map[string]int) *Sampler {
	s := &Sampler{pid: pid, pids: map[string][]int{}, start: map[int]cpuTime{}, used: map[int]time.Duration{},
		stats: ServerStats{PID: pid, OthersCPU: map[string]float64{}}}
	for name, port := range ports {
		if p := listenerPID(port); p != 0 && p != pid {
			s.pids[name] = []int{p}
		}
	}
	return s
}

// Window reads CPU times as the measured window opens and closes; pass it as LoadConfig.Window.
// The CPU figures are those of every window closed so far, together.
func (s *Sampler) Window(open bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if open {
		s.mstart = s.machine()
		s.procs = allProcs()
		for _, pid := range s.all() {
			if t, err := procCPU(pid); err == nil {
				s.start[pid] = t
			}
		}
		return
	}
	end := s.machine()
	wall := end.wall.Sub(s.mstart.wall)
	if s.mstart.wall.IsZero() || wall <= 0 {
		return
	}
	s.wall += wall
	s.mused += end.cpu - s.mstart.cpu
	s.stats.MachineCPU = cores(s.mused, s.wall)
	skip := map[int]bool{os.Getpid(): true}
	for _, pid := range s.all() {
		skip[pid] = true
		s.used[pid] += s.usedBy(pid)
	}
	s.stats.Bystanders = busiest(s.procs, allProcs(), wall, skip, 4)
	if s.pid != 0 {
		s.stats.CPUCores = cores(s.used[s.pid], s.wall)
	}
	for name, pids := range s.pids {
		s.stats.OthersCPU[name] = 0
		for _, pid := range pids {
			s.stats.OthersCPU[name] += cores(s.used[pid], s.wall)
		}
	}
}

// cores is CPU time used over a length of time, in cores (1 = one core busy all along).
func cores(used, wall time.Duration) float64 {
	if wall <= 0 {
		return 0
	}
	return float64(used) / float64(wall)
}

// machine reads the machine's busy CPU time, recording a failure.
func (s *Sampler) machine() cpuTime {
	t, err := machineCPU()
	if err != nil {
		s.failed = append(s.failed, err)
	}
	return t
}

// all lists the watched processes.
func (s *Sampler) all() []int {
	var out []int
	if s.pid != 0 {
		out = append(out, s.pid)
	}
	for _, pids := range s.pids {
		out = append(out, pids...)
	}
	return out
}

// usedBy returns the CPU time pid used since the window opened.
func (s *Sampler) usedBy(pid int) time.Duration {
	start, ok := s.start[pid]
	if !ok {
		return 0
	}
	t, err := procCPU(pid)
	if err != nil {
		s.failed = append(s.failed, err)
		return 0
	}
	return t.cpu - start.cpu
}

// Stats reads the server's memory now and returns everything measured.
func (s *Sampler) Stats() (ServerStats, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pid != 0 {
		rss, peak, err := procMemory(s.pid)
		if err != nil {
			s.failed = append(s.failed, err)
		}
		s.stats.RSSBytes, s.stats.PeakRSSBytes = rss, peak
	}
	return s.stats, errors.Join(s.failed...)
}

// MachineLoad measures for d how busy the machine is without the benchmark's load: the cores
// in use and the busiest processes (this one left out).
func MachineLoad(ctx context.Context, d time.Duration) (float64, []ProcCPU, error) {
	m0, err := machineCPU()
	if err != nil {
		return 0, nil, err
	}
	p0 := allProcs()
	if !sleepUntil(ctx, time.Now().Add(d)) {
		return 0, nil, ctx.Err()
	}
	m1, err := machineCPU()
	if err != nil {
		return 0, nil, err
	}
	return m1.coresSince(m0), busiest(p0, allProcs(), m1.wall.Sub(m0.wall), map[int]bool{os.Getpid(): true}, 4), nil
}

// WatchRSS samples pid's resident set (VmRSS) every interval until the returned function is
// called, which returns the largest sample in bytes: the peak of one round, where VmHWM is the
// peak of the whole life of the process.
func WatchRSS(pid int, every time.Duration) func() int64 {
	stop, done := make(chan struct{}), make(chan int64, 1)
	go func() {
		var peak int64
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			if rss, _, err := procMemory(pid); err == nil {
				peak = max(peak, rss)
			}
			select {
			case <-stop:
				done <- peak
				return
			case <-tick.C:
			}
		}
	}()
	return func() int64 {
		close(stop)
		return <-done
	}
}
