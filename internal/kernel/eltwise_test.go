package kernel

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

func TestEltwise(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	for si, impl := range eltSets() {
		for _, n := range []int{0, 1, 15, 16, 17, 100, 3*eltChunk + 5} {
			for _, workers := range []int{1, 3} {
				t.Run(fmt.Sprintf("impl%d/n%d/w%d", si, n, workers), func(t *testing.T) {
					ws := NewWorkspace(workers)
					ws.core().eltImpl = impl
					a, b := randSlice(rng, n), randSlice(rng, n)
					y := make([]float32, n)
					check := func(what string, want func(i int) float32) {
						t.Helper()
						for i := range y {
							if w := want(i); y[i] != w {
								t.Fatalf("%s[%d] = %v, want %v", what, i, y[i], w)
							}
						}
					}
					AddReLU(y, a, b, false, ws)
					check("add", func(i int) float32 { return a[i] + b[i] })
					AddReLU(y, a, b, true, ws)
					check("addrelu", func(i int) float32 { return max(a[i]+b[i], 0) })
					ReLU(y, a, ws)
					check("relu", func(i int) float32 { return max(a[i], 0) })
					ReLUGrad(y, a, b, ws)
					check("relugrad", func(i int) float32 {
						if a[i] > 0 {
							return b[i]
						}
						return 0
					})
					c := append([]float32(nil), a...)
					AddReLU(c, c, b, true, ws) // in place
					for i := range c {
						if c[i] != max(a[i]+b[i], 0) {
							t.Fatalf("in-place add differs at %d", i)
						}
					}
				})
			}
		}
	}
}

func TestGlobalAvgPool(t *testing.T) {
	x := []float32{1, 2, 3, 4, 5, 6}
	y := make([]float32, 2)
	GlobalAvgPool(y, x, 3, nil)
	if y[0] != 2 || y[1] != 5 {
		t.Fatalf("pool = %v, want [2 5]", y)
	}
	dx := make([]float32, 6)
	GlobalAvgPoolGrad(dx, []float32{3, 6}, 3, nil)
	for i, want := range []float32{1, 1, 1, 2, 2, 2} {
		if dx[i] != want {
			t.Fatalf("pool gradient = %v", dx)
		}
	}
}

func TestEltwiseNoAllocs(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	n := 4 * eltChunk
	a, b, y := randSlice(rng, n), randSlice(rng, n), make([]float32, n)
	ws := NewWorkspace(2)
	step := func() {
		AddReLU(y, a, b, true, ws)
		ReLUGrad(y, a, b, ws)
	}
	step()
	if got := testing.AllocsPerRun(10, step); got != 0 {
		t.Errorf("%v allocations per step, want 0", got)
	}
}
