package secret

import "testing"

func TestNewTokensAreDistinctAndHashMatches(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		tok, h := New()
		if len(tok) != 43 || seen[tok] {
			t.Fatalf("token %q: bad length or repeated", tok)
		}
		seen[tok] = true
		if Hash(tok) != h || h == tok {
			t.Fatalf("hash of %q does not match", tok)
		}
	}
}
