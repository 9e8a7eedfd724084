package model

import (
	"fmt"
	"math"
	"testing"

	"github.com/resx-dev/resx/internal/config"
)

// The parameter counts of He et al. (2016) Table 6 and He et al. (2016b)
// Table 3, in millions as the papers print them.
func TestParamCountsMatchPapers(t *testing.T) {
	cifar := InputShape{C: 3, H: 32, W: 32}
	cases := []struct {
		arch, block, shortcut string
		depth                 int
		want                  float64 // millions, as printed
		digits                int     // decimals printed
		skipShort             bool
		// weightsOnly counts convolution and fully connected weights and
		// biases but not batch-norm scale and bias. He et al. (2016b) print
		// 10.2M for ResNet-1001, which is the count without batch norm
		// (10,178,490); with it the network has 10,327,706. Their other
		// counts (and ResNet-1202's 19.4M in He et al. 2016) include it.
		weightsOnly bool
	}{
		{"residual", "basic", "A", 20, 0.27, 2, false, false},
		{"residual", "basic", "A", 32, 0.46, 2, false, false},
		{"residual", "basic", "A", 44, 0.66, 2, false, false},
		{"residual", "basic", "A", 56, 0.85, 2, false, false},
		{"residual", "basic", "A", 110, 1.7, 1, false, false},
		{"residual", "basic", "A", 1202, 19.4, 1, true, false},
		{"plain", "basic", "A", 20, 0.27, 2, false, false},
		{"plain", "basic", "A", 56, 0.85, 2, false, false},
		{"plain", "basic", "A", 110, 1.7, 1, false, false},
		{"residual", "bottleneck", "B", 164, 1.7, 1, false, false},
		{"residual", "bottleneck", "B", 1001, 10.2, 1, true, true},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s-%d-%s", c.arch, c.depth, c.block), func(t *testing.T) {
			if c.skipShort && testing.Short() {
				t.Skip("large graph")
			}
			cfg := config.Model{Arch: c.arch, Depth: c.depth, Block: c.block, Shortcut: c.shortcut, Width: 1, Survival: 1}
			got := countParams(cfg, cifar)
			if c.weightsOnly {
				got = countWeights(cfg, cifar)
			}
			p := math.Pow(10, float64(c.digits))
			if m := math.Round(float64(got)/1e6*p) / p; m != c.want {
				t.Errorf("%d parameters = %.*fM, paper %.*fM", got, c.digits, m, c.digits, c.want)
			}
		})
	}
}

// TestPlainAndResidualShareParameters: option A adds no parameters, so plain
// and residual nets of the same depth have exactly the same count.
func TestPlainAndResidualShareParameters(t *testing.T) {
	in := InputShape{C: 3, H: 32, W: 32}
	for _, d := range []int{20, 56} {
		p := countParams(config.Model{Arch: "plain", Depth: d, Block: "basic", Shortcut: "A", Width: 1, Survival: 1}, in)
		r := countParams(config.Model{Arch: "residual", Depth: d, Block: "basic", Shortcut: "A", Width: 1, Survival: 1}, in)
		if p != r {
			t.Errorf("depth %d: plain %d != residual %d", d, p, r)
		}
	}
	// Exact count for ResNet-20: convs 16·3·9 + 6·16·16·9 + (32·16·9 + 5·32·32·9)
	// + (64·32·9 + 5·64·64·9), BN 2·(16·7 + 32·6 + 64·6), fc 64·10 + 10.
	want := 16*3*9 + 6*16*16*9 + 32*16*9 + 5*32*32*9 + 64*32*9 + 5*64*64*9 + 2*(16*7+32*6+64*6) + 64*10 + 10
	if got := countParams(config.Model{Arch: "residual", Depth: 20, Block: "basic", Shortcut: "A", Width: 1, Survival: 1}, in); got != want {
		t.Errorf("ResNet-20: %d parameters, want %d", got, want)
	}
}
