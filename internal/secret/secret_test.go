package secret

import (
	"bytes"
	"sync"
	"testing"
)

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

func TestLoadKeyCreatesOnceAndReuses(t *testing.T) {
	t.Parallel()
	dir := t.TempDir() + "/data"
	k1, err := LoadKey(dir, "")
	if err != nil || len(k1) != 32 {
		t.Fatalf("first load: %v (%d bytes)", err, len(k1))
	}
	k2, err := LoadKey(dir, "")
	if err != nil || string(k1) != string(k2) {
		t.Fatalf("second load gave another key (%v)", err)
	}
	if _, err := LoadKey(dir, "abc"); err == nil {
		t.Fatal("a short FIRSTSTEP_SECRET_KEY was accepted")
	}
	if Keyed(k1, "manage-link:1") != Keyed(k2, "manage-link:1") || Keyed(k1, "manage-link:1") == Keyed(k1, "manage-link:2") {
		t.Fatal("Keyed is not a stable, purpose-bound token")
	}
}

// TestLoadKeyConcurrentFirstStart: instances starting together on one fresh
// data folder all get the same key; none reads a key file another is still
// writing and calls it damaged.
func TestLoadKeyConcurrentFirstStart(t *testing.T) {
	t.Parallel()
	for round := range 20 {
		dir := t.TempDir()
		const instances = 8
		keys := make([][]byte, instances)
		errs := make([]error, instances)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range instances {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				keys[i], errs[i] = LoadKey(dir, "")
			}()
		}
		close(start)
		wg.Wait()
		for i := range instances {
			if errs[i] != nil {
				t.Fatalf("round %d, instance %d: %v", round, i, errs[i])
			}
			if !bytes.Equal(keys[i], keys[0]) {
				t.Fatalf("round %d: instance %d got another key than instance 0", round, i)
			}
		}
	}
}
