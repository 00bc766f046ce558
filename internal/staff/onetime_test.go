package staff

import (
	"regexp"
	"testing"
)

func TestOneTimePassword(t *testing.T) {
	t.Parallel()
	shape := regexp.MustCompile(`^[` + passwordAlphabet + `]{5}(-[` + passwordAlphabet + `]{5}){3}$`)
	seen := map[string]bool{}
	counts := map[rune]int{}
	for range 2000 {
		p := oneTimePassword()
		if !shape.MatchString(p) {
			t.Fatalf("password %q has the wrong shape", p)
		}
		if msg := passwordProblem(p); msg != "" {
			t.Fatalf("password %q is refused: %s", p, msg)
		}
		if seen[p] {
			t.Fatalf("password %q came twice", p)
		}
		seen[p] = true
		for _, r := range p {
			counts[r]++
		}
	}
	// 40,000 characters over 31 letters: about 1,290 each; every one is used
	// and none is far more common than the others.
	for _, r := range passwordAlphabet {
		if n := counts[r]; n < 1000 || n > 1600 {
			t.Errorf("%q appears %d times", r, n)
		}
	}
}
