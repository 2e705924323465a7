package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"gridbot/config"
	"gridbot/models"
	"gridbot/store"
)

// tokenUsage is printed for a wrong `gridbot token` command line.
const tokenUsage = `usage:
  gridbot token issue PERSON_CODE [--name LABEL]   print a new API token for a member of staff, once
  gridbot token revoke PERSON_CODE                 revoke every token of that person
  gridbot token list PERSON_CODE                   list that person's tokens (never the tokens themselves)
`

// tokenCommand manages personal tokens for the county platform's API: `gridbot token ...`.
func (e *environment) tokenCommand(ctx context.Context, args []string) error {
	if len(args) > 0 && isHelp(args[0]) {
		fmt.Fprint(e.stdout, tokenUsage)
		return nil
	}
	if len(args) == 0 || (args[0] != "issue" && args[0] != "revoke" && args[0] != "list") {
		fmt.Fprint(e.stderr, tokenUsage)
		return fmt.Errorf("token: say issue, revoke or list")
	}
	fs := newFlags("token "+args[0], tokenUsage)
	name := fs.String("name", "api", "a label telling the person's tokens apart (issue only)")
	code, err := e.personCodeArg(fs, args[1:])
	if err != nil {
		return err
	}
	return e.withStore(ctx, func(_ config.Config, s *store.Store) error {
		p, err := s.PersonByCode(ctx, code)
		if err != nil {
			return fmt.Errorf("token: %w", err)
		}
		switch args[0] {
		case "issue":
			return issueToken(ctx, s, p, *name, e.stdout, e.stderr)
		case "revoke":
			return revokeTokens(ctx, s, p, e.stdout)
		}
		return listTokens(ctx, s, p, e.stdout)
	})
}

// personCodeArg reads the one PERSON_CODE argument, with flags before or after it.
func (e *environment) personCodeArg(fs *flag.FlagSet, args []string) (string, error) {
	positional, err := parseArgs(fs, args, e.stdout, e.stderr)
	if err != nil {
		return "", err
	}
	switch {
	case len(positional) == 0:
		fs.Usage()
		return "", fmt.Errorf("token: PERSON_CODE is missing")
	case len(positional) > 1:
		fs.Usage()
		return "", fmt.Errorf("token: unexpected arguments %q", positional[1:])
	}
	return positional[0], nil
}

// issueToken prints a new token alone on stdout (for scripts) and how to use it on stderr.
func issueToken(ctx context.Context, s *store.Store, p models.Person, name string, stdout, stderr io.Writer) error {
	token, err := s.IssueToken(ctx, p.ID, name, time.Now())
	if err != nil {
		return fmt.Errorf("token: %s (%s): %w", p.Code, p.Name, err)
	}
	fmt.Fprintf(stderr, "API token %q for %s %s (%s); shown once, gridbot keeps only its hash.\n"+
		"Send it as \"Authorization: Bearer <token>\" to /api/v1.\n", name, p.Name, p.Code, p.Role)
	fmt.Fprintln(stdout, token)
	return nil
}

// revokeTokens revokes a person's live tokens and says how many.
func revokeTokens(ctx context.Context, s *store.Store, p models.Person, stdout io.Writer) error {
	n, err := s.RevokeTokens(ctx, p.ID, time.Now())
	if err != nil {
		return fmt.Errorf("token: %w", err)
	}
	fmt.Fprintf(stdout, "revoked %d token(s) of %s %s\n", n, p.Name, p.Code)
	return nil
}

// listTokens prints a person's tokens: name, hash prefix, when created, last used and revoked.
func listTokens(ctx context.Context, s *store.Store, p models.Person, stdout io.Writer) error {
	ts, err := s.TokensOf(ctx, p.ID)
	if err != nil {
		return fmt.Errorf("token: %w", err)
	}
	fmt.Fprintf(stdout, "%d token(s) of %s %s (%s)\n", len(ts), p.Name, p.Code, p.Role)
	for _, t := range ts {
		fmt.Fprintf(stdout, "  %-20s sha256:%s  created %s  last used %s  %s\n", t.Name, t.HashPrefix,
			stamp(t.CreatedAt), stamp(t.LastUsedAt), revokedWord(t.RevokedAt))
	}
	return nil
}

// stamp writes a time for the token list, "never" for the zero time.
func stamp(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.Format(time.RFC3339)
}

// revokedWord says whether a token is live.
func revokedWord(t time.Time) string {
	if t.IsZero() {
		return "live"
	}
	return "revoked " + stamp(t)
}
