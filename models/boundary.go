package models

import (
	"fmt"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// ParseBoundary reads a grid's boundary: a GeoJSON Polygon or MultiPolygon in [lng, lat] order
// whose rings are closed, have at least 4 positions, and lie on the globe. The deployment file is
// checked with it when imported, and the bot's places when they are built.
func ParseBoundary(raw []byte) (orb.MultiPolygon, error) {
	geom, err := geojson.UnmarshalGeometry(raw)
	if err != nil {
		return nil, fmt.Errorf("is not GeoJSON: %w", err)
	}
	var area orb.MultiPolygon
	switch v := geom.Geometry().(type) {
	case orb.Polygon:
		area = orb.MultiPolygon{v}
	case orb.MultiPolygon:
		area = v
	default:
		return nil, fmt.Errorf("must be a Polygon or MultiPolygon, got %s", geom.Type)
	}
	return area, checkArea(area)
}

// checkArea reports an empty area, an open or short ring, or a position out of range.
func checkArea(area orb.MultiPolygon) error {
	if len(area) == 0 {
		return fmt.Errorf("has no polygons")
	}
	for _, poly := range area {
		if len(poly) == 0 {
			return fmt.Errorf("has a polygon without rings")
		}
		for _, ring := range poly {
			if len(ring) < 4 || !ring.Closed() {
				return fmt.Errorf("has a ring that is not closed or has fewer than 4 positions")
			}
			for _, pt := range ring {
				if !(Point{Lat: pt.Lat(), Lng: pt.Lon()}).Valid() {
					return fmt.Errorf("has position [%v, %v] out of range ([lng, lat] order)", pt.Lon(), pt.Lat())
				}
			}
		}
	}
	return nil
}
