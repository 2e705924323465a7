// Package examples ships the sample county, 晋江市, that serve imports into an empty embedded
// database so that a newcomer sees a working county at once.
package examples

import _ "embed"

//go:embed jinjiang.yaml
var jinjiang []byte

// SampleCountyName is the file name errors and logs use for the sample county.
const SampleCountyName = "examples/jinjiang.yaml"

// SampleCounty returns the sample county's deployment file.
func SampleCounty() []byte { return jinjiang }
