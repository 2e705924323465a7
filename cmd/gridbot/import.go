package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"time"

	"gridbot/bot"
	"gridbot/config"
	"gridbot/deployment"
	"gridbot/models"
	"gridbot/store"
)

// importFile imports a deployment file: `gridbot import FILE`.
func (e *environment) importFile(ctx context.Context, args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("usage: gridbot import FILE")
	}
	raw, err := os.ReadFile(args[0])
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	return e.withStore(ctx, func(cfg config.Config, s *store.Store) error {
		res, warnings, err := importDeployment(ctx, cfg, s, raw, args[0])
		if err != nil {
			return err
		}
		printImport(e.stdout, res, warnings)
		forgetCachedPeople(ctx, cfg, e.stdout)
		return nil
	})
}

// forgetCachedPeople tells running instances that people changed, so that they stop using the
// people they cached (roles, teams, grids). Without a shared Redis there is nothing to tell: the
// embedded one lives inside the running service, whose cached people expire within minutes.
func forgetCachedPeople(ctx context.Context, cfg config.Config, w io.Writer) {
	if cfg.RedisURL == "" {
		return
	}
	rdb, err := store.OpenRedis(ctx, cfg.RedisURL)
	if err == nil {
		err = bot.ForgetPeople(ctx, rdb.Client, cfg.RedisKeyPrefix)
		rdb.Close()
	}
	if err != nil {
		fmt.Fprintln(w, "warning: could not reach Redis to tell running instances; they use the people they cached for up to 10 minutes:", err)
	}
}

// importDeployment parses a deployment file and writes it in one transaction.
func importDeployment(ctx context.Context, cfg config.Config, s *store.Store, raw []byte, name string) (models.ImportResult, []deployment.Warning, error) {
	d, err := deployment.Parse(bytes.NewReader(raw), name, cfg.Location())
	if err != nil {
		return models.ImportResult{}, nil, err
	}
	res, err := s.ImportDeployment(ctx, d, time.Now(), cfg.BindingCodeTTL)
	if err != nil {
		return models.ImportResult{}, nil, fmt.Errorf("import %s: %w", name, err)
	}
	return res, deployment.Staffing(d), nil
}

// printImport reports counts, staffing warnings and newly issued binding codes.
func printImport(w io.Writer, res models.ImportResult, warnings []deployment.Warning) {
	kinds := make([]string, 0, len(res.Counts))
	for k := range res.Counts {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	fmt.Fprintln(w, "imported:")
	for _, k := range kinds {
		fmt.Fprintf(w, "  %-14s %d\n", k, res.Counts[k])
	}
	for _, wr := range warnings {
		fmt.Fprintln(w, "warning:", wr.Message)
	}
	if len(res.IssuedCodes) > 0 {
		fmt.Fprintln(w, "binding codes issued now (shown once; hand each to its person):")
		for _, c := range res.IssuedCodes {
			fmt.Fprintf(w, "  %-16s %-8s %s\n", c.PersonCode, c.PersonName, c.Code)
		}
	}
}

// logWarnings writes staffing warnings to the log (for the sample county at start-up).
func logWarnings(log *slog.Logger, warnings []deployment.Warning) {
	for _, w := range warnings {
		log.Warn("staffing rule not met", "warning", w.Message)
	}
}
