package bench

import (
	"context"
	"errors"
	"path/filepath"
	"time"
)

// SpawnBaseline starts the baseline echo server as a child process, `exe baseline -addr ADDR`
// (exe is gridbench itself), and waits until it is ready.
func SpawnBaseline(ctx context.Context, exe, dir string, t Target) (*Process, error) {
	addr, err := FreeAddr()
	if err != nil {
		return nil, err
	}
	args := []string{"baseline", "-addr", addr, "-appid", t.AppID, "-token", t.Token, "-aes-key", t.AESKey}
	p, err := StartProcess("baseline", exe, args, childEnv(nil), addr, filepath.Join(dir, "baseline.log"))
	if err != nil {
		return nil, err
	}
	if err := p.WaitReady(ctx, "/readyz", 30*time.Second); err != nil {
		return nil, errors.Join(err, p.Stop(5*time.Second))
	}
	return p, nil
}
