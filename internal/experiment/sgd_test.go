package experiment

import (
	"math"
	"testing"

	"github.com/resx-dev/resx/internal/model"
)

func TestFirstNonFinite(t *testing.T) {
	a := &model.Param{Name: "a", Value: []float32{1}, Grad: []float32{0}}
	b := &model.Param{Name: "b", Value: []float32{1, 1}, Grad: []float32{0, float32(math.Inf(1))}}
	c := &model.Param{Name: "c", Value: []float32{1}, Grad: []float32{float32(math.NaN())}}
	if name := firstNonFinite([]*model.Param{a, b, c}); name != "b" {
		t.Errorf("firstNonFinite = %q, want b", name)
	}
	if name := firstNonFinite([]*model.Param{a}); name != "" {
		t.Errorf("firstNonFinite = %q, want none", name)
	}
}
