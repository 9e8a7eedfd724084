package report

// paperKey names a network the papers report on CIFAR-10.
type paperKey struct {
	arch, block string
	depth       int
	stochastic  bool
}

// paperTestError is the CIFAR-10 test error the papers report, as a
// fraction: He et al. 2016 Table 6 (option A shortcuts; 110 is the best of
// 5 runs), He et al. 2016b Table 3 (pre-activation) and Huang et al. 2016
// (stochastic depth, survival 0.5). The paper gives the plain nets only as
// curves (Figure 6), so they have no entry.
var paperTestError = map[paperKey]float64{
	{"residual", "basic", 20, false}:        0.0875,
	{"residual", "basic", 32, false}:        0.0751,
	{"residual", "basic", 44, false}:        0.0717,
	{"residual", "basic", 56, false}:        0.0697,
	{"residual", "basic", 110, false}:       0.0643,
	{"residual", "basic", 1202, false}:      0.0793,
	{"residual", "preact", 110, false}:      0.0637,
	{"residual", "bottleneck", 164, false}:  0.0546,
	{"residual", "bottleneck", 1001, false}: 0.0492,
	{"residual", "basic", 110, true}:        0.0525,
}

// PaperTestError returns the published CIFAR-10 test error of r's network,
// if there is one.
func PaperTestError(r *Run) (float64, bool) {
	if r.Dataset != "cifar10" {
		return 0, false
	}
	if r.Block == "basic" && r.Shortcut != "A" {
		return 0, false
	}
	stochastic := r.Config != nil && r.Config.Model.Survival < 1
	v, ok := paperTestError[paperKey{r.Arch, r.Block, r.Depth, stochastic}]
	return v, ok
}
