package outbox

import "regexp"

// anAddress is anything shaped like an email address, with the angle
// brackets or quotes a server may put around it.
var anAddress = regexp.MustCompile(`[^\s<>"'(),;:\[\]]+@[^\s<>"'(),;:\[\]]+`)

// withoutAddresses is a mail server's reply as it may be logged: servers
// often echo the recipient ("550 5.1.1 <jo@example.org>: User unknown"),
// and recipients are clients, whose addresses are never logged. Staff
// still read the whole reply under failed emails.
func withoutAddresses(s string) string {
	return anAddress.ReplaceAllString(s, "[address]")
}
