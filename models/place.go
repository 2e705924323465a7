package models

import "encoding/json"

// Point is a position in GCJ-02 coordinates, the system WeChat location messages use.
type Point struct {
	Lat float64 `json:"lat" yaml:"lat"`
	Lng float64 `json:"lng" yaml:"lng"`
}

// Valid reports whether the point lies within the coordinate ranges.
func (p Point) Valid() bool {
	return p.Lat >= -90 && p.Lat <= 90 && p.Lng >= -180 && p.Lng <= 180
}

// County is a county-level division (县/市/区): the unit one deployment serves.
type County struct {
	Code string
	Name string
}

// Township is a township or subdistrict (乡镇/街道), the level that receives delegated powers.
type Township struct {
	Code string
	Name string
}

// Village is a village or community (村/社区) inside a township.
type Village struct {
	Code         string
	Name         string
	TownshipCode string
	Center       *Point
}

// Grid is a grid (网格), the smallest area, watched by grid workers.
type Grid struct {
	Code        string
	Name        string
	VillageCode string
	// Boundary is an optional GeoJSON Polygon or MultiPolygon geometry in GCJ-02.
	Boundary json.RawMessage
}

// Department is a county department (生态环境, 城市管理, 市场监管, …) that owns matters.
type Department struct {
	Code string
	Name string
}
