package model

import (
	"math"
	"math/rand/v2"
)

// initFn draws the initial values of a parameter of the given shape.
type initFn func(r *rand.Rand, shape []int, size int) []float64

// kaimingFanOut is He et al.'s normal initialisation with fan-out mode, as
// the paper's reference uses for convolutions: N(0, 2/(K·R·S)) for a K×C×R×S filter.
func kaimingFanOut(r *rand.Rand, shape []int, size int) []float64 {
	fanOut := shape[0]
	for _, d := range shape[2:] {
		fanOut *= d
	}
	std := math.Sqrt(2 / float64(fanOut))
	v := make([]float64, size)
	for i := range v {
		v[i] = r.NormFloat64() * std
	}
	return v
}

// uniformFanIn is PyTorch's nn.Linear default: U(-1/sqrt(in), 1/sqrt(in)).
func uniformFanIn(in int) initFn {
	return func(r *rand.Rand, shape []int, size int) []float64 {
		bound := 1 / math.Sqrt(float64(in))
		v := make([]float64, size)
		for i := range v {
			v[i] = (2*r.Float64() - 1) * bound
		}
		return v
	}
}

func ones(_ *rand.Rand, _ []int, size int) []float64 {
	v := make([]float64, size)
	for i := range v {
		v[i] = 1
	}
	return v
}

func zeros(_ *rand.Rand, _ []int, size int) []float64 { return make([]float64, size) }
