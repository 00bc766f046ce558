package e2e

import (
	"fmt"
	"os"
	"testing"
)

// TestMain runs the browser journeys only in a build with the browser tag
// (go test -tags browser ./e2e/): they take most of the suite's time, so the
// README's everyday command leaves them out and .ci/run runs them. The
// package still compiles either way, so a broken journey shows in both.
func TestMain(m *testing.M) {
	if !browserTests {
		fmt.Println("e2e: browser journeys skipped; run them with: go test -tags browser ./e2e/")
		os.Exit(0)
	}
	os.Exit(m.Run())
}
