package bench

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Process is a server the benchmark started as a child process: gridbot serve or the baseline.
type Process struct {
	Name    string
	URL     string // http://127.0.0.1:port
	LogPath string // its stderr and stdout
	cmd     *exec.Cmd
	exited  chan struct{}
	waitErr error
}

// StartProcess starts bin with args and env, its output going to logPath, serving on addr.
func StartProcess(name, bin string, args, env []string, addr, logPath string) (*Process, error) {
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env, cmd.Stdout, cmd.Stderr = env, logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // never outlive the benchmark
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &Process{Name: name, URL: "http://" + addr, LogPath: logPath, cmd: cmd, exited: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		logf.Close()
		close(p.exited)
	}()
	return p, nil
}

// Pid is the child's process id.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// WaitReady polls path until it answers 200, the child exits, or timeout passes.
func (p *Process) WaitReady(ctx context.Context, path string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	client := &http.Client{Timeout: time.Second}
	for {
		if ok := p.answers(ctx, client, path); ok {
			return nil
		}
		select {
		case <-p.exited:
			return fmt.Errorf("%s exited before it was ready (%v); its log:\n%s", p.Name, p.waitErr, p.LogTail(20))
		case <-ctx.Done():
			return fmt.Errorf("%s not ready after %s; its log:\n%s", p.Name, timeout, p.LogTail(20))
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// answers reports whether a GET of path answers 200.
func (p *Process) answers(ctx context.Context, client *http.Client, path string) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.URL+path, nil)
	if err != nil {
		return false
	}
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// Stop asks the child to stop (SIGTERM, a graceful drain) and kills it after timeout.
func (p *Process) Stop(timeout time.Duration) error {
	select {
	case <-p.exited:
		return p.exitErr()
	default:
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("stop %s: %w", p.Name, err)
	}
	select {
	case <-p.exited:
		return p.exitErr()
	case <-time.After(timeout):
	}
	if err := p.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("kill %s: %w", p.Name, err)
	}
	<-p.exited
	return fmt.Errorf("%s did not stop within %s: killed", p.Name, timeout)
}

// exitErr reports an unclean exit.
func (p *Process) exitErr() error {
	if p.waitErr != nil {
		return fmt.Errorf("%s exited: %w; its log:\n%s", p.Name, p.waitErr, p.LogTail(20))
	}
	return nil
}

// LogTail returns the last n lines of the child's output.
func (p *Process) LogTail(n int) string {
	raw, err := os.ReadFile(p.LogPath)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimRight(string(raw), "\n"), "\n")
	return strings.Join(lines[max(len(lines)-n, 0):], "\n")
}

// LogLines counts the lines of the child's output (gridbot logs at warn and above in a run).
func (p *Process) LogLines() int {
	raw, err := os.ReadFile(p.LogPath)
	if err != nil || len(raw) == 0 {
		return 0
	}
	return strings.Count(strings.TrimRight(string(raw), "\n"), "\n") + 1
}

// FreeAddr returns a loopback address with a port nobody listens on now.
func FreeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// ModuleRoot returns the directory of the go.mod that the current directory belongs to.
func ModuleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("not inside a Go module: run from the gridbot repository")
	}
	return filepath.Dir(mod), nil
}

// BuildGridbot builds ./cmd/gridbot of the module at root into dir and returns the binary.
func BuildGridbot(ctx context.Context, root, dir string) (string, error) {
	bin := filepath.Join(dir, "gridbot")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/gridbot")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/gridbot: %w\n%s", err, out)
	}
	return bin, nil
}

// runOnce runs a one-shot command (gridbot import) and returns its output.
func runOnce(ctx context.Context, dir, bin string, args, env []string) (string, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("%s %s: %w\n%s", filepath.Base(bin), strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

// childEnv is this process's environment without any GRIDBOT_ setting, plus extra.
func childEnv(extra map[string]string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GRIDBOT_") {
			env = append(env, kv)
		}
	}
	for k, v := range extra {
		env = append(env, k+"="+v)
	}
	return env
}
