package outbox

import "testing"

func TestProblemWords(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, stored, want string }{
		{"none", "", ""},
		{"no such mailbox", "RCPT TO: 550 5.1.1 No such mailbox here", "The recipient's address does not exist."},
		{"bad domain", "RCPT TO: 550 5.1.2 Bad destination system", "The recipient's address or its domain is not valid."},
		{"mailbox full", "RCPT TO: 552 5.2.2 Mailbox full", "The recipient's mailbox is full."},
		{"too large", "DATA: 552 5.3.4 Message too big", "The email is too large for the recipient's server."},
		{"no SMTPUTF8", "MAIL FROM: 553 5.6.7 SMTPUTF8 not supported", "The recipient's server cannot take an address with characters beyond plain English letters."},
		{"policy", "DATA: 550 5.7.1 Message rejected as spam", "The recipient's server refused the email (a spam filter or its policy)."},
		{"authentication", "AUTH: 535 5.7.8 Authentication credentials invalid", "The mail server did not accept Firststep's sign-in: check the user and password in FIRSTSTEP_SMTP_URL."},
		{"try later", "RCPT TO: 451 4.7.1 Greylisted, try again", "The mail server asked to try again later. Firststep does, by itself."},
		{"bare 550", "RCPT TO: 550 User unknown", "The recipient's server refused this address."},
		{"reply alone", "550 5.1.1 <a@b.example>: mailbox unavailable", "The recipient's address does not exist."},
		{"unreachable, address looks like a code", "SMTP greeting: dial tcp 192.0.2.250:25: connect: connection refused",
			"Firststep could not reach the mail server, or lost the connection. It tries again by itself."},
		{"something else", "odd", "Something went wrong while sending."},
	}
	for _, c := range cases {
		if got := ProblemWords(c.stored); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
	for _, s := range []string{StatusPending, StatusSent, StatusFailed} {
		if StatusWords(s) == s {
			t.Errorf("status %s has no words", s)
		}
	}
}
