package model

// ForgetLesions frees the evaluation graphs that EvaluateWithout built and
// keeps for reuse. Each holds the activations of a whole evaluation batch,
// so a lesion study over many sets of deleted blocks calls it after each
// set to hold one such graph at a time; a later EvaluateWithout builds its
// graph again.
func (n *Net) ForgetLesions() {
	for key, gr := range n.lesion {
		gr.m.Close()
		delete(n.lesion, key)
	}
}
