package kernel

// The reference convolutions: direct loops, one goroutine, accumulation in
// the element type. They define what the fast paths must compute.

func convForwardRef[T Float](y, x, w []T, s ConvShape) {
	oh, ow := s.OutH(), s.OutW()
	for n := 0; n < s.N; n++ {
		for k := 0; k < s.K; k++ {
			out := y[(n*s.K+k)*oh*ow : (n*s.K+k+1)*oh*ow]
			for i := range out {
				out[i] = 0
			}
			for c := 0; c < s.C; c++ {
				in := x[(n*s.C+c)*s.H*s.W : (n*s.C+c+1)*s.H*s.W]
				for r := 0; r < s.R; r++ {
					for q := 0; q < s.S; q++ {
						wv := w[((k*s.C+c)*s.R+r)*s.S+q]
						for oy := 0; oy < oh; oy++ {
							iy := oy*s.Stride - s.Pad + r
							if iy < 0 || iy >= s.H {
								continue
							}
							for ox := 0; ox < ow; ox++ {
								ix := ox*s.Stride - s.Pad + q
								if ix < 0 || ix >= s.W {
									continue
								}
								out[oy*ow+ox] += wv * in[iy*s.W+ix]
							}
						}
					}
				}
			}
		}
	}
}

func convBackwardDataRef[T Float](dx, dy, w []T, s ConvShape) {
	oh, ow := s.OutH(), s.OutW()
	for i := range dx[:s.N*s.C*s.H*s.W] {
		dx[i] = 0
	}
	for n := 0; n < s.N; n++ {
		for k := 0; k < s.K; k++ {
			g := dy[(n*s.K+k)*oh*ow : (n*s.K+k+1)*oh*ow]
			for c := 0; c < s.C; c++ {
				in := dx[(n*s.C+c)*s.H*s.W : (n*s.C+c+1)*s.H*s.W]
				for r := 0; r < s.R; r++ {
					for q := 0; q < s.S; q++ {
						wv := w[((k*s.C+c)*s.R+r)*s.S+q]
						for oy := 0; oy < oh; oy++ {
							iy := oy*s.Stride - s.Pad + r
							if iy < 0 || iy >= s.H {
								continue
							}
							for ox := 0; ox < ow; ox++ {
								ix := ox*s.Stride - s.Pad + q
								if ix < 0 || ix >= s.W {
									continue
								}
								in[iy*s.W+ix] += wv * g[oy*ow+ox]
							}
						}
					}
				}
			}
		}
	}
}

func convBackwardFilterRef[T Float](dw, x, dy []T, s ConvShape) {
	oh, ow := s.OutH(), s.OutW()
	for i := range dw[:s.K*s.C*s.R*s.S] {
		dw[i] = 0
	}
	for n := 0; n < s.N; n++ {
		for k := 0; k < s.K; k++ {
			g := dy[(n*s.K+k)*oh*ow : (n*s.K+k+1)*oh*ow]
			for c := 0; c < s.C; c++ {
				in := x[(n*s.C+c)*s.H*s.W : (n*s.C+c+1)*s.H*s.W]
				for r := 0; r < s.R; r++ {
					for q := 0; q < s.S; q++ {
						var acc T
						for oy := 0; oy < oh; oy++ {
							iy := oy*s.Stride - s.Pad + r
							if iy < 0 || iy >= s.H {
								continue
							}
							for ox := 0; ox < ow; ox++ {
								ix := ox*s.Stride - s.Pad + q
								if ix < 0 || ix >= s.W {
									continue
								}
								acc += in[iy*s.W+ix] * g[oy*ow+ox]
							}
						}
						dw[((k*s.C+c)*s.R+r)*s.S+q] += acc
					}
				}
			}
		}
	}
}
