package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"gridbot/config"
	"gridbot/deployment"
	"gridbot/models"
	"gridbot/store"
)

// previewImport prints what importing raw would change: `gridbot import --dry-run FILE`. It
// compares the file with what the store holds (deployment.Compare) rather than running the import
// in a transaction that is rolled back: a comparison only reads, on SQLite and MySQL alike, so it
// holds no write lock against the running service, burns no AUTO_INCREMENT ids, generates no
// binding codes, and can say "changed" field by field, which a rolled-back import's row counts
// cannot. A database that does not exist yet, or has no schema, is taken as empty and is not
// created.
func (e *environment) previewImport(ctx context.Context, raw []byte, name string) error {
	cfg, _, err := e.loadAdmin()
	if err != nil {
		return err
	}
	d, err := deployment.Parse(bytes.NewReader(raw), name, cfg.Location())
	if err != nil {
		return err
	}
	current, where, err := storedDeployment(ctx, cfg)
	if err != nil {
		return err
	}
	diff := deployment.Compare(current, d)
	fmt.Fprintf(e.stdout, "dry run: %s compared with %s; nothing is written.\n", name, where)
	printDiff(e.stdout, diff)
	for _, w := range deployment.Staffing(d) {
		fmt.Fprintln(e.stdout, "warning:", w.Message)
	}
	printUndelegated(e.stdout, diff.Undelegated)
	if len(diff.Undelegated) > 0 {
		fmt.Fprintln(e.stdout, "the import would be refused without --force.")
	}
	printIssuable(e.stdout, d)
	return nil
}

// storedDeployment reads what the configured database holds without writing to it, and says
// where that was; a database that does not exist yet or has no schema holds nothing.
func storedDeployment(ctx context.Context, cfg config.Config) (models.Deployment, string, error) {
	if cfg.DBDriver == store.DriverSQLite && sqliteMissing(cfg.DBDSN) {
		return models.Deployment{}, "an empty database (" + cfg.DBDSN + " does not exist yet)", nil
	}
	s, err := openStore(ctx, cfg)
	if err != nil {
		return models.Deployment{}, "", err
	}
	defer s.Close()
	where := "the " + s.Driver() + " database"
	st, migrated, err := s.PeekSchema(ctx)
	if err != nil || !migrated {
		return models.Deployment{}, where + " (no schema yet: empty)", err
	}
	if err := st.CheckSchema(); err != nil {
		return models.Deployment{}, "", fmt.Errorf("import --dry-run: %w (a dry run changes nothing, not even the schema)", err)
	}
	d, err := s.Deployment(ctx)
	return d, where, err
}

// sqliteMissing reports whether dsn is a plain SQLite file path with no file there yet.
func sqliteMissing(dsn string) bool {
	if dsn == ":memory:" || strings.HasPrefix(dsn, "file:") || strings.Contains(dsn, "?") {
		return false
	}
	_, err := os.Stat(dsn)
	return errors.Is(err, fs.ErrNotExist)
}

// printDiff prints, per kind, the codes added, changed (with their fields), removed and kept,
// and a count line.
func printDiff(w io.Writer, diff deployment.Diff) {
	var added, changed, removed int
	for _, k := range diff.Kinds {
		fmt.Fprintf(w, "%s: %d added, %d changed, %d removed, %d unchanged", k.Kind, len(k.Added), len(k.Changed), len(k.Removed), k.Same)
		if len(k.Kept) > 0 {
			fmt.Fprintf(w, ", %d not in the file (kept)", len(k.Kept))
		}
		fmt.Fprintln(w)
		printCodes(w, "+ ", k.Added)
		for _, c := range k.Changed {
			fmt.Fprintf(w, "  ~ %s (%s)\n", c.Code, strings.Join(c.Fields, ", "))
		}
		printCodes(w, "- ", k.Removed)
		printCodes(w, "kept, not in the file: ", k.Kept)
		added, changed, removed = added+len(k.Added), changed+len(k.Changed), removed+len(k.Removed)
	}
	fmt.Fprintf(w, "in all: %d added, %d changed, %d removed\n", added, changed, removed)
}

// printCodes prints codes behind a mark, several to a line.
func printCodes(w io.Writer, mark string, codes []string) {
	const perLine = 6
	for i := 0; i < len(codes); i += perLine {
		fmt.Fprintf(w, "  %s%s\n", mark, strings.Join(codes[i:min(i+perLine, len(codes))], " "))
	}
}

// printIssuable says how many people the file asks codes for; a dry run issues none.
func printIssuable(w io.Writer, d models.Deployment) {
	n := 0
	for _, m := range d.Staff {
		if m.IssueCode {
			n++
		}
	}
	if n > 0 {
		fmt.Fprintf(w, "binding codes: %d people have binding_code: issue; the import generates a code for each "+
			"who is not bound and holds no live code, and prints it once (a dry run generates none).\n", n)
	}
}
