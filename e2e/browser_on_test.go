//go:build browser

package e2e

// browserTests is set by the browser build tag; see TestMain.
const browserTests = true
