package handlers_test

import (
	"io"
	"log/slog"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	"gopkg.in/yaml.v3"

	"gridbot/handlers"
)

// openAPIFile is the API's description.
const openAPIFile = "../api/openapi.yaml"

// loadOpenAPI parses the API's description.
func loadOpenAPI(t *testing.T) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(openAPIFile)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("%s: %v", openAPIFile, err)
	}
	return doc
}

// registeredAPIRoutes returns "METHOD /path" of every /api/v1 route, paths as OpenAPI writes them.
func registeredAPIRoutes() []string {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	engine := handlers.New(handlers.Deps{Log: log, Registry: prometheus.NewRegistry()})
	handlers.RegisterAPI(engine, handlers.APIDeps{Log: log})
	param := regexp.MustCompile(`:(\w+)`)
	var out []string
	for _, r := range engine.Routes() {
		if strings.HasPrefix(r.Path, handlers.APIPrefix+"/") {
			out = append(out, r.Method+" "+param.ReplaceAllString(strings.TrimPrefix(r.Path, handlers.APIPrefix), "{$1}"))
		}
	}
	sort.Strings(out)
	return out
}

// documentedRoutes returns "METHOD /path" of every operation of the description.
func documentedRoutes(doc map[string]any) []string {
	var out []string
	for path, item := range doc["paths"].(map[string]any) {
		for method := range item.(map[string]any) {
			if method != "parameters" {
				out = append(out, strings.ToUpper(method)+" "+path)
			}
		}
	}
	sort.Strings(out)
	return out
}

func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	doc := loadOpenAPI(t)
	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.0.") {
		t.Fatalf("openapi version %q", v)
	}
	if servers := doc["servers"].([]any); servers[0].(map[string]any)["url"] != handlers.APIPrefix {
		t.Fatalf("servers %v", servers)
	}
	routes := registeredAPIRoutes()
	if len(routes) < 12 {
		t.Fatalf("only %d routes registered: %v", len(routes), routes)
	}
	if diff := cmp.Diff(routes, documentedRoutes(doc)); diff != "" {
		t.Fatalf("registered routes (-) and documented operations (+) differ:\n%s", diff)
	}
}

func TestOpenAPIOperationsAreComplete(t *testing.T) {
	doc := loadOpenAPI(t)
	scheme := doc["components"].(map[string]any)["securitySchemes"].(map[string]any)["bearerToken"].(map[string]any)
	if scheme["type"] != "http" || scheme["scheme"] != "bearer" {
		t.Fatalf("security scheme %v", scheme)
	}
	if sec := doc["security"].([]any); len(sec) != 1 || sec[0].(map[string]any)["bearerToken"] == nil {
		t.Fatalf("security %v", sec)
	}
	for path, item := range doc["paths"].(map[string]any) {
		for method, op := range item.(map[string]any) {
			if method == "parameters" {
				continue
			}
			op := op.(map[string]any)
			responses := op["responses"].(map[string]any)
			want := []string{"200", "401", "403"}
			if strings.Contains(path, "{no}") {
				want = append(want, "404")
			}
			if method == "post" {
				want = append(want, "400", "409", "413")
				if op["requestBody"] == nil {
					t.Errorf("%s %s has no requestBody", method, path)
				}
			}
			for _, code := range want {
				if responses[code] == nil {
					t.Errorf("%s %s lacks response %s", method, path, code)
				}
			}
			if op["operationId"] == nil || op["summary"] == nil {
				t.Errorf("%s %s lacks operationId or summary", method, path)
			}
		}
	}
}

func TestOpenAPIReferencesResolve(t *testing.T) {
	doc := loadOpenAPI(t)
	var walk func(v any, at string)
	walk = func(v any, at string) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if k == "$ref" {
					if !resolves(doc, x.(string)) {
						t.Errorf("%s: $ref %v does not resolve", at, x)
					}
					continue
				}
				walk(x, at+"/"+k)
			}
		case []any:
			for _, x := range v {
				walk(x, at)
			}
		}
	}
	walk(doc, "")
}

// resolves reports whether a local reference "#/a/b" names something in the document.
func resolves(doc map[string]any, ref string) bool {
	if !strings.HasPrefix(ref, "#/") {
		return false
	}
	var cur any = doc
	for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		m, ok := cur.(map[string]any)
		if !ok {
			return false
		}
		if cur, ok = m[part]; !ok {
			return false
		}
	}
	return true
}
