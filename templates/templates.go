// Package templates embeds Firststep's HTML pages, partials and static
// assets into the binary.
package templates

import "embed"

// FS holds base.html, partials/, pages/, static/ and the email bodies in email/.
//
//go:embed base.html partials pages static email
var FS embed.FS
