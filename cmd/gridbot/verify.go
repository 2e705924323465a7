package main

import (
	"context"
	"fmt"

	"gridbot/config"
	"gridbot/models"
	"gridbot/store"
)

// verifyUsage is printed for `gridbot verify --help`.
const verifyUsage = `usage: gridbot verify [NO...]
  check the hash chain of every case's history, or of the cases with these tracking numbers,
  print the first broken link of each case whose history was edited, and fail if there is one
`

// verify checks the hash chain of every case's history (or of the cases named): `gridbot verify [NO...]`.
// It prints the first broken link of each case whose history was edited and fails if there is one.
func (e *environment) verify(ctx context.Context, args []string) error {
	nos, err := parseArgs(newFlags("verify", verifyUsage), args, e.stdout, e.stderr)
	if err != nil {
		return err
	}
	return e.withStore(ctx, func(_ config.Config, s *store.Store) error {
		checked, broken, err := verifyCases(ctx, s, nos, func(c models.Case, seq int) {
			fmt.Fprintf(e.stdout, "case %s: history broken at event %d\n", c.TrackingNo, seq)
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%d cases checked, %d with a broken history\n", checked, broken)
		if broken > 0 {
			return fmt.Errorf("verify: %d cases have a broken history", broken)
		}
		return nil
	})
}

// verifyCases checks the named cases, or all cases page by page, reporting each broken one.
func verifyCases(ctx context.Context, s *store.Store, nos []string, report func(models.Case, int)) (int, int, error) {
	var checked, broken int
	check := func(c models.Case) error {
		events, err := s.Events(ctx, c.ID)
		if err != nil {
			return err
		}
		checked++
		if seq := models.VerifyChain(events); seq != 0 {
			broken++
			report(c, seq)
		}
		return nil
	}
	for _, no := range nos {
		c, err := s.CaseByTrackingNo(ctx, no)
		if err != nil {
			return checked, broken, err
		}
		if err := check(c); err != nil {
			return checked, broken, err
		}
	}
	for after := int64(0); len(nos) == 0; {
		page, err := s.CasesAfter(ctx, after, 500)
		if err != nil || len(page) == 0 {
			return checked, broken, err
		}
		for _, c := range page {
			if err := check(c); err != nil {
				return checked, broken, err
			}
		}
		after = page[len(page)-1].ID
	}
	return checked, broken, nil
}
