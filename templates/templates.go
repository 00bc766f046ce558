// Package templates embeds Firststep's HTML pages, partials and static
// assets into the binary.
package templates

import "embed"

// FS holds base.html, partials/, pages/ and static/.
//
//go:embed base.html partials pages static
var FS embed.FS
