package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"
	"time"

	"gridbot/config"
	"gridbot/deployment"
	"gridbot/models"
	"gridbot/shared"
	"gridbot/store"
)

// importUsage is printed for `gridbot import --help` and a wrong `gridbot import` command line.
const importUsage = `usage: gridbot import [--dry-run] [--force] FILE
  import or update the county's deployment file FILE in one transaction, all or nothing.
  Rows are matched by code; delegations are replaced by the file's; nothing else is deleted.
  Binding codes the file asks for (binding_code: issue) are printed once; only their hashes are kept.
  --dry-run compares FILE with what the database holds and prints what the import would add,
  change and remove, writing nothing (not even the schema).
  An import that would leave a matter with no delegation at all (it was delegated to a township,
  or kept by a named agency, and the file now does neither) is refused unless --force is given.
`

// importArgs is what `gridbot import` was asked to do.
type importArgs struct {
	file          string
	dryRun, force bool
}

// parseImportArgs reads `gridbot import [--dry-run] [--force] FILE`, flags anywhere.
func (e *environment) parseImportArgs(args []string) (importArgs, error) {
	fs := newFlags("import", importUsage)
	var a importArgs
	fs.BoolVar(&a.dryRun, "dry-run", false, "print what the import would add, change and remove; write nothing")
	fs.BoolVar(&a.force, "force", false, "import even when a matter would be left with no delegation at all")
	files, err := parseArgs(fs, args, e.stdout, e.stderr)
	if err != nil {
		return importArgs{}, err
	}
	if len(files) != 1 {
		fs.Usage()
		return importArgs{}, errors.New("import: name one deployment FILE")
	}
	a.file = files[0]
	return a, nil
}

// importFile imports a deployment file: `gridbot import [--dry-run] [--force] FILE`.
func (e *environment) importFile(ctx context.Context, args []string) error {
	a, err := e.parseImportArgs(args)
	if err != nil {
		return err
	}
	raw, err := os.ReadFile(a.file)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	if a.dryRun {
		return e.previewImport(ctx, raw, a.file)
	}
	return e.withStore(ctx, func(cfg config.Config, s *store.Store) error {
		d, err := deployment.Parse(bytes.NewReader(raw), a.file, cfg.Location())
		if err != nil {
			return err
		}
		if err := checkDelegations(ctx, s, d, a.force, e.stdout); err != nil {
			return err
		}
		res, err := writeDeployment(ctx, cfg, s, d, a.file)
		if err != nil {
			return err
		}
		printImport(e.stdout, res, deployment.Staffing(d), d)
		forgetCachedPeople(ctx, cfg, e.stdout)
		return nil
	})
}

// checkDelegations warns of the matters the import would leave with no delegation at all and
// refuses the import unless forced. The check reads the store before the import's transaction:
// an import running at the same moment is not seen.
func checkDelegations(ctx context.Context, s *store.Store, d models.Deployment, force bool, w io.Writer) error {
	current, err := s.Deployment(ctx)
	if err != nil {
		return fmt.Errorf("import: read the current deployment: %w", err)
	}
	lost := deployment.Compare(current, d).Undelegated
	printUndelegated(w, lost)
	if len(lost) == 0 || force {
		return nil
	}
	return fmt.Errorf("import: refused: %d matter(s) would be left with no delegation at all (see the warnings); "+
		"correct the file, or run again with --force if that is intended", len(lost))
}

// printUndelegated warns of each matter that would be left with no delegation at all.
func printUndelegated(w io.Writer, lost []deployment.Undelegated) {
	for _, u := range lost {
		why := "the file delegates it to no township and names no agency that keeps it"
		if !u.InFile {
			why = "the file no longer lists it: the database keeps the matter but loses its delegations"
		}
		fmt.Fprintf(w, "warning: matter %s (%s) would be left with no delegation at all: it was delegated or kept for %s; %s\n",
			u.Code, u.Name, strings.Join(u.Before, ", "), why)
	}
}

// forgetCachedPeople tells running instances that people changed, so that they stop using the
// people they cached (roles, teams, grids). Without a shared Redis there is nothing to tell: the
// embedded one lives inside the running service, whose cached people expire within minutes.
func forgetCachedPeople(ctx context.Context, cfg config.Config, w io.Writer) {
	if cfg.RedisURL == "" {
		return
	}
	rdb, err := shared.OpenRedis(ctx, cfg.RedisURL)
	if err == nil {
		err = shared.ForgetPeople(ctx, rdb.Client, cfg.RedisKeyPrefix)
		rdb.Close()
	}
	if err != nil {
		fmt.Fprintln(w, "warning: could not reach Redis to tell running instances; they use the people they cached for up to 10 minutes:", err)
	}
}

// importDeployment parses a deployment file and writes it in one transaction.
func importDeployment(ctx context.Context, cfg config.Config, s *store.Store, raw []byte, name string) (models.Deployment, models.ImportResult, error) {
	d, err := deployment.Parse(bytes.NewReader(raw), name, cfg.Location())
	if err != nil {
		return models.Deployment{}, models.ImportResult{}, err
	}
	res, err := writeDeployment(ctx, cfg, s, d, name)
	return d, res, err
}

// writeDeployment writes a parsed deployment in one transaction.
func writeDeployment(ctx context.Context, cfg config.Config, s *store.Store, d models.Deployment, name string) (models.ImportResult, error) {
	res, err := s.ImportDeployment(ctx, d, time.Now(), cfg.BindingCodeTTL)
	if err != nil {
		return models.ImportResult{}, fmt.Errorf("import %s: %w", name, err)
	}
	return res, nil
}

// printImport reports counts, staffing warnings and newly issued binding codes.
func printImport(w io.Writer, res models.ImportResult, warnings []deployment.Warning, d models.Deployment) {
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
	printIssuedCodes(w, res.IssuedCodes, d)
}

// printIssuedCodes prints the binding codes an import generated as a table, once: gridbot keeps
// only their hashes, so this is the only time anyone sees them.
func printIssuedCodes(w io.Writer, codes []models.IssuedCode, d models.Deployment) {
	if len(codes) == 0 {
		return
	}
	post := map[string]string{}
	for _, m := range d.Staff {
		post[m.Person.Code] = personPost(m.Person)
	}
	rows := [][]string{{"person code", "name", "team / role", "binding code"}}
	for _, c := range codes {
		rows = append(rows, []string{c.PersonCode, c.PersonName, post[c.PersonCode], c.Code})
	}
	fmt.Fprintf(w, "binding codes issued now: %d, shown only this once (gridbot keeps their hashes).\n"+
		"Hand each to its person, who sends “绑定 CODE” to the Official Account:\n", len(codes))
	printTable(w, rows)
}

// personPost is a person's team and role, or role alone outside teams.
func personPost(p models.Person) string {
	if p.TeamCode == "" {
		return string(p.Role)
	}
	return p.TeamCode + " / " + string(p.Role)
}

// printTable writes rows as columns aligned for a terminal (CJK characters take two columns).
func printTable(w io.Writer, rows [][]string) {
	var widths []int
	for _, r := range rows {
		for i, cell := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], displayWidth(cell))
		}
	}
	for _, r := range rows {
		var b strings.Builder
		for i, cell := range r {
			b.WriteString("  " + cell)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-displayWidth(cell)))
			}
		}
		fmt.Fprintln(w, b.String())
	}
}

// logWarnings writes staffing warnings to the log (for the sample county at start-up).
func logWarnings(log *slog.Logger, warnings []deployment.Warning) {
	for _, w := range warnings {
		log.Warn("staffing rule not met", "warning", w.Message)
	}
}
