// Package deployment reads the YAML file that describes one county (places, departments, the
// matter catalogue with per-township delegation, teams and people), checks it with line-numbered
// errors, and reports the seed document's staffing rules as warnings.
package deployment

import (
	"fmt"
	"reflect"
	"strings"

	"gopkg.in/yaml.v3"
)

// fileDoc is the deployment file as written.
type fileDoc struct {
	County      fileCounty       `yaml:"county"`
	Townships   []fileTownship   `yaml:"townships"`
	Departments []fileDepartment `yaml:"departments"`
	Matters     []fileMatter     `yaml:"matters"`
	Colloquial  []fileColloquial `yaml:"colloquial"`
	Teams       []fileTeam       `yaml:"teams"`
	People      []filePerson     `yaml:"people"`
}

type fileCounty struct {
	Line int    `yaml:"-"`
	Code string `yaml:"code"`
	Name string `yaml:"name"`
}

type fileTownship struct {
	Line     int           `yaml:"-"`
	Code     string        `yaml:"code"`
	Name     string        `yaml:"name"`
	Villages []fileVillage `yaml:"villages"`
}

type fileVillage struct {
	Line   int        `yaml:"-"`
	Code   string     `yaml:"code"`
	Name   string     `yaml:"name"`
	Center *filePoint `yaml:"center"`
	Grids  []fileGrid `yaml:"grids"`
}

type filePoint struct {
	Line int     `yaml:"-"`
	Lat  float64 `yaml:"lat"`
	Lng  float64 `yaml:"lng"`
}

type fileGrid struct {
	Line     int    `yaml:"-"`
	Code     string `yaml:"code"`
	Name     string `yaml:"name"`
	Boundary any    `yaml:"boundary"`
}

type fileDepartment struct {
	Line int    `yaml:"-"`
	Code string `yaml:"code"`
	Name string `yaml:"name"`
}

type fileMatter struct {
	Line        int              `yaml:"-"`
	Code        string           `yaml:"code"`
	Name        string           `yaml:"name"`
	Department  string           `yaml:"department"`
	Keywords    []string         `yaml:"keywords"`
	Synonyms    []string         `yaml:"synonyms"`
	LegalBasis  string           `yaml:"legal_basis"`
	Urgency     string           `yaml:"urgency"`
	SignLimit   string           `yaml:"sign_limit"`
	HandleLimit string           `yaml:"handle_limit"`
	Delegations []fileDelegation `yaml:"delegations"`
}

// fileColloquial is one entry of the colloquial list: what people say and what it means.
type fileColloquial struct {
	Line  int    `yaml:"-"`
	Say   string `yaml:"say"`
	Means string `yaml:"means"`
}

type fileDelegation struct {
	Line       int          `yaml:"-"`
	Townships  townshipList `yaml:"townships"`
	Situation  string       `yaml:"situation"`
	Delegated  bool         `yaml:"delegated"`
	Batch      int          `yaml:"batch"`
	Effective  string       `yaml:"effective"`
	RetainedBy string       `yaml:"retained_by"`
}

// townshipList is either the word "all" or a list of township codes.
type townshipList struct {
	All   bool
	Codes []string
}

type fileTeam struct {
	Line       int          `yaml:"-"`
	Code       string       `yaml:"code"`
	Name       string       `yaml:"name"`
	Kind       string       `yaml:"kind"`
	Township   string       `yaml:"township"`
	Department string       `yaml:"department"`
	Members    []filePerson `yaml:"members"`
}

type filePerson struct {
	Line             int      `yaml:"-"`
	Code             string   `yaml:"code"`
	Name             string   `yaml:"name"`
	Role             string   `yaml:"role"`
	Phone            string   `yaml:"phone"`
	Grids            []string `yaml:"grids"`
	OpenID           string   `yaml:"openid"`
	WeComUserID      string   `yaml:"wecom_userid"`
	BindingCode      string   `yaml:"binding_code"`
	PreferredChannel string   `yaml:"preferred_channel"`
}

// decodeStrict decodes a mapping node into v (a pointer to a struct), refusing keys the struct
// does not have, and records the node's line in the struct's Line field.
func decodeStrict(n *yaml.Node, v any) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: expected a mapping with keys, got %s", n.Line, nodeKind(n))
	}
	rv := reflect.ValueOf(v).Elem()
	known := map[string]bool{}
	for i := 0; i < rv.NumField(); i++ {
		tag := strings.Split(rv.Type().Field(i).Tag.Get("yaml"), ",")[0]
		if tag != "" && tag != "-" {
			known[tag] = true
		}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; !known[k.Value] {
			return fmt.Errorf("line %d: unknown field %q", k.Line, k.Value)
		}
	}
	if err := n.Decode(v); err != nil {
		return err
	}
	if f := rv.FieldByName("Line"); f.IsValid() {
		f.SetInt(int64(n.Line))
	}
	return nil
}

// nodeKind names a YAML node's kind for an error message.
func nodeKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("%q", n.Value)
	default:
		return "something else"
	}
}

// The UnmarshalYAML methods below make every element strict and aware of its line.

// UnmarshalYAML decodes the county strictly.
func (x *fileCounty) UnmarshalYAML(n *yaml.Node) error {
	type plain fileCounty
	return decodeStrict(n, (*plain)(x))
}

// UnmarshalYAML decodes a township strictly.
func (x *fileTownship) UnmarshalYAML(n *yaml.Node) error {
	type plain fileTownship
	return decodeStrict(n, (*plain)(x))
}

// UnmarshalYAML decodes a village strictly.
func (x *fileVillage) UnmarshalYAML(n *yaml.Node) error {
	type plain fileVillage
	return decodeStrict(n, (*plain)(x))
}

// UnmarshalYAML decodes a point strictly.
func (x *filePoint) UnmarshalYAML(n *yaml.Node) error {
	type plain filePoint
	return decodeStrict(n, (*plain)(x))
}

// UnmarshalYAML decodes a grid strictly.
func (x *fileGrid) UnmarshalYAML(n *yaml.Node) error {
	type plain fileGrid
	return decodeStrict(n, (*plain)(x))
}

// UnmarshalYAML decodes a department strictly.
func (x *fileDepartment) UnmarshalYAML(n *yaml.Node) error {
	type plain fileDepartment
	return decodeStrict(n, (*plain)(x))
}

// UnmarshalYAML decodes a matter strictly.
func (x *fileMatter) UnmarshalYAML(n *yaml.Node) error {
	type plain fileMatter
	return decodeStrict(n, (*plain)(x))
}

// UnmarshalYAML decodes a colloquial entry strictly.
func (x *fileColloquial) UnmarshalYAML(n *yaml.Node) error {
	type plain fileColloquial
	return decodeStrict(n, (*plain)(x))
}

// UnmarshalYAML decodes a delegation strictly.
func (x *fileDelegation) UnmarshalYAML(n *yaml.Node) error {
	type plain fileDelegation
	return decodeStrict(n, (*plain)(x))
}

// UnmarshalYAML decodes a team strictly.
func (x *fileTeam) UnmarshalYAML(n *yaml.Node) error {
	type plain fileTeam
	return decodeStrict(n, (*plain)(x))
}

// UnmarshalYAML decodes a person strictly.
func (x *filePerson) UnmarshalYAML(n *yaml.Node) error {
	type plain filePerson
	return decodeStrict(n, (*plain)(x))
}

// UnmarshalYAML accepts "all" or a list of township codes.
func (x *townshipList) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode && n.Value == "all" {
		x.All = true
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		return fmt.Errorf("line %d: townships must be \"all\" or a list of township codes", n.Line)
	}
	return n.Decode(&x.Codes)
}
