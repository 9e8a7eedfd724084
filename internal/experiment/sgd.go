package experiment

import (
	"math"

	"github.com/resx-dev/resx/internal/model"
)

// firstNonFinite returns the name of the first param whose gradient holds a
// NaN or an Inf, or "" if all are finite.
func firstNonFinite(params []*model.Param) string {
	for _, p := range params {
		var sum float64
		for _, g := range p.Grad {
			sum += float64(g)
		}
		if math.IsNaN(sum) || math.IsInf(sum, 0) {
			return p.Name
		}
	}
	return ""
}
