// Package gridbot_test checks the architecture: which of gridbot's packages may import what.
package gridbot_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// importRule forbids an import path, and every path below it, to the module's packages.
type importRule struct {
	name      string
	forbidden string   // an import path: it and every path below it
	only      []string // the packages (and those below them) that may import it; nil: none may
	checked   []string // the packages (and those below them) checked; nil: every package of the module
	// transitive: the rule holds for every dependency, not only for direct imports.
	transitive bool
}

// importRules are the architecture's import rules; tests may import what their package may not.
func importRules() []importRule {
	return []importRule{
		{name: "handlers is HTTP glue and never reaches the simulator", forbidden: "gridbot/wechatsim",
			checked: []string{"gridbot/handlers"}, transitive: true},
		{name: "only wechat speaks to the WeChat library (the simulator and the benchmarks compare with it)",
			forbidden: "github.com/silenceper/wechat", only: []string{"gridbot/wechat", "gridbot/wechatsim", "gridbot/bench"}},
		{name: "only shared speaks to Redis (the benchmarks read and reset the servers they measure)",
			forbidden: "github.com/redis/go-redis", only: []string{"gridbot/shared", "gridbot/bench"},
			checked: []string{"gridbot/notify", "gridbot/wechat", "gridbot/store", "gridbot/handlers", "gridbot/cmd",
				"gridbot/inbox", "gridbot/bot", "gridbot/workflow", "gridbot/county"}},
		{name: "the inbox reaches the store only through its Store port", forbidden: "gridbot/store",
			checked: []string{"gridbot/inbox"}},
		{name: "batch imports nothing of ours", forbidden: "gridbot", checked: []string{"gridbot/batch"},
			transitive: true},
	}
}

// listedPackage is what go list says of one package.
type listedPackage struct {
	ImportPath string
	Imports    []string
	Deps       []string
}

func TestImportRules(t *testing.T) {
	pkgs := listPackages(t)
	for _, r := range importRules() {
		t.Run(r.name, func(t *testing.T) {
			seen := 0
			for _, p := range pkgs {
				if (r.checked != nil && !underAny(p.ImportPath, r.checked)) || underAny(p.ImportPath, r.only) {
					continue
				}
				seen++
				for _, imp := range r.importsOf(p) {
					if under(imp, r.forbidden) {
						t.Errorf("%s %s %s", p.ImportPath, r.verb(), imp)
					}
				}
			}
			if seen == 0 {
				t.Fatalf("no package of %v listed: the rule checks nothing", r.checked)
			}
		})
	}
}

// TestImportRulesSeeTheImports keeps the rules honest: the packages allowed an import have it.
func TestImportRulesSeeTheImports(t *testing.T) {
	pkgs := listPackages(t)
	for _, r := range importRules() {
		if r.only == nil {
			continue
		}
		found := false
		for _, p := range pkgs {
			for _, imp := range r.importsOf(p) {
				found = found || (underAny(p.ImportPath, r.only) && under(imp, r.forbidden))
			}
		}
		if !found {
			t.Errorf("%s: none of %v imports %s; go list saw no imports or the rule is stale", r.name, r.only, r.forbidden)
		}
	}
}

// importsOf is what the rule checks of p: its direct imports or all its dependencies.
func (r importRule) importsOf(p listedPackage) []string {
	if r.transitive {
		return p.Deps
	}
	return p.Imports
}

// verb says how a package reaches a forbidden path under the rule.
func (r importRule) verb() string {
	if r.transitive {
		return "depends on"
	}
	return "imports"
}

// listPackages runs go list over the module (test files not included).
func listPackages(t *testing.T) []listedPackage {
	t.Helper()
	cmd := exec.Command(goTool(t), "list", "-json=ImportPath,Imports,Deps", "./...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []listedPackage
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listedPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

// goTool is the go command of the toolchain running the test.
func goTool(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath(filepath.Join(runtime.GOROOT(), "bin", "go")); err == nil {
		return p
	}
	p, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("no go command: %v", err)
	}
	return p
}

// under reports whether path is root or below it.
func under(path, root string) bool {
	return path == root || strings.HasPrefix(path, root+"/")
}

// underAny reports whether path is one of roots or below one.
func underAny(path string, roots []string) bool {
	for _, r := range roots {
		if under(path, r) {
			return true
		}
	}
	return false
}
