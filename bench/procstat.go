package bench

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// clockTicks is USER_HZ, the unit of the CPU times in /proc/<pid>/stat (100 on every Linux
// architecture Go supports).
const clockTicks = 100

// cpuTime is CPU used by a process so far, read at a wall-clock time.
type cpuTime struct {
	cpu  time.Duration
	wall time.Time
}

// coresSince returns the CPU used between start and t, in cores (1 = one core busy all along).
func (t cpuTime) coresSince(start cpuTime) float64 {
	wall := t.wall.Sub(start.wall)
	if start.wall.IsZero() || wall <= 0 {
		return 0
	}
	return float64(t.cpu-start.cpu) / float64(wall)
}

// selfCPU reads this process's CPU time (user and system).
func selfCPU() cpuTime {
	var ru syscall.Rusage
	now := time.Now()
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return cpuTime{wall: now}
	}
	return cpuTime{cpu: time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), wall: now}
}

// procCPU reads a process's CPU time (user and system) from /proc/<pid>/stat.
func procCPU(pid int) (cpuTime, error) {
	now := time.Now()
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return cpuTime{}, fmt.Errorf("read cpu of %d: %w", pid, err)
	}
	// The command name, in parentheses, may hold spaces: the fields start after its ')'.
	i := bytes.LastIndexByte(raw, ')')
	if i < 0 {
		return cpuTime{}, fmt.Errorf("read cpu of %d: malformed stat", pid)
	}
	f := strings.Fields(string(raw[i+1:]))
	if len(f) < 13 {
		return cpuTime{}, fmt.Errorf("read cpu of %d: short stat", pid)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64) // field 14 of stat
	stime, err2 := strconv.ParseInt(f[12], 10, 64) // field 15
	if err1 != nil || err2 != nil {
		return cpuTime{}, fmt.Errorf("read cpu of %d: malformed times", pid)
	}
	return cpuTime{cpu: time.Duration(utime+stime) * time.Second / clockTicks, wall: now}, nil
}

// procMemory returns a process's resident set now (VmRSS) and at its peak (VmHWM), in bytes.
func procMemory(pid int) (rss, peak int64, err error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, fmt.Errorf("read memory of %d: %w", pid, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if !ok || (name != "VmRSS" && name != "VmHWM") {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("read memory of %d: %s: %w", pid, name, err)
		}
		if name == "VmRSS" {
			rss = kb << 10
		} else {
			peak = kb << 10
		}
	}
	return rss, peak, sc.Err()
}

// machineCPU reads the CPU time all processors spent busy (not idle, not waiting for I/O,
// not stolen by the hypervisor) from /proc/stat.
func machineCPU() (cpuTime, error) {
	now := time.Now()
	raw, err := os.ReadFile("/proc/stat")
	if err != nil {
		return cpuTime{}, fmt.Errorf("read machine cpu: %w", err)
	}
	line, _, _ := strings.Cut(string(raw), "\n")
	f := strings.Fields(line)
	if len(f) < 6 || f[0] != "cpu" {
		return cpuTime{}, errors.New("read machine cpu: malformed /proc/stat")
	}
	var busy int64
	for i, v := range f[1:] {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return cpuTime{}, fmt.Errorf("read machine cpu: %w", err)
		}
		if i != 3 && i != 4 && i < 7 { // not idle, iowait, steal; guest times are already in user
			busy += n
		}
	}
	return cpuTime{cpu: time.Duration(busy) * time.Second / clockTicks, wall: now}, nil
}

// procSnapshot is the CPU time of every process at one moment, by pid, with its command name.
type procSnapshot map[int]procTimes

// procTimes is one process's command name and CPU time.
type procTimes struct {
	comm string
	cpu  time.Duration
}

// allProcs reads the CPU time of every process.
func allProcs() procSnapshot {
	out := procSnapshot{}
	dirs, err := filepath.Glob("/proc/[0-9]*")
	if err != nil {
		return out
	}
	for _, d := range dirs {
		pid, err := strconv.Atoi(filepath.Base(d))
		if err != nil {
			continue
		}
		t, err := procCPU(pid)
		if err != nil {
			continue // the process has gone
		}
		comm, err := os.ReadFile(filepath.Join(d, "comm"))
		if err != nil {
			continue
		}
		out[pid] = procTimes{comm: strings.TrimSpace(string(comm)), cpu: t.cpu}
	}
	return out
}

// busiest returns the command names that used the most CPU between two snapshots, in cores
// over wall, leaving out the pids in skip; at most n names, each above 0.02 cores.
func busiest(before, after procSnapshot, wall time.Duration, skip map[int]bool, n int) []ProcCPU {
	byComm := map[string]time.Duration{}
	for pid, a := range after {
		if skip[pid] {
			continue
		}
		b, ok := before[pid]
		if ok && b.comm != a.comm {
			ok = false // the pid was reused
		}
		d := a.cpu
		if ok {
			d -= b.cpu
		}
		if d > 0 {
			byComm[a.comm] += d
		}
	}
	var out []ProcCPU
	for comm, d := range byComm {
		if cores := float64(d) / float64(wall); cores >= 0.02 {
			out = append(out, ProcCPU{Name: comm, Cores: cores})
		}
	}
	slices.SortFunc(out, func(a, b ProcCPU) int { return cmpFloat(b.Cores, a.Cores) })
	return out[:min(n, len(out))]
}

// ProcCPU is the CPU some processes of one name used, in cores.
type ProcCPU struct {
	Name  string  `json:"name"`
	Cores float64 `json:"cores"`
}

// cmpFloat orders two floats.
func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// listenerPID returns the process listening on a TCP port of this machine (IPv4 or IPv6), or 0.
func listenerPID(port int) int {
	inodes := map[string]bool{}
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		raw, err := os.ReadFile(table)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(raw), "\n")[1:] {
			f := strings.Fields(line)
			if len(f) < 10 || f[3] != "0A" { // 0A: LISTEN
				continue
			}
			_, hexPort, _ := strings.Cut(f[1], ":")
			if p, err := strconv.ParseInt(hexPort, 16, 32); err == nil && int(p) == port {
				inodes["socket:["+f[9]+"]"] = true
			}
		}
	}
	if len(inodes) == 0 {
		return 0
	}
	fds, err := filepath.Glob("/proc/[0-9]*/fd/*")
	if err != nil {
		return 0
	}
	for _, fd := range fds {
		if target, err := os.Readlink(fd); err == nil && inodes[target] {
			pid, err := strconv.Atoi(strings.Split(fd, "/")[2])
			if err == nil {
				return pid
			}
		}
	}
	return 0
}
