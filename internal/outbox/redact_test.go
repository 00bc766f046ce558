package outbox

import "testing"

func TestWithoutAddresses(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"RCPT TO: 550 5.1.1 <jo.smith+x@example.org>: Recipient address rejected": "RCPT TO: 550 5.1.1 <[address]>: Recipient address rejected",
		"RCPT TO: 553 josé@exämple.org SMTPUTF8 required":                         "RCPT TO: 553 [address] SMTPUTF8 required",
		"DATA: 451 4.3.0 try again later":                                         "DATA: 451 4.3.0 try again later",
	} {
		if got := withoutAddresses(in); got != want {
			t.Errorf("withoutAddresses(%q) = %q, want %q", in, got, want)
		}
	}
}
