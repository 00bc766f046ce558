package outbox

import (
	"regexp"
	"strconv"
	"strings"
)

// How staff read an email's delivery: the one place its codes (a status,
// a mail server's reply code) become words. The codes stay stored as they
// are, and the server's own reply stays available beside the words for
// whoever fixes the cause.

var statusWords = map[string]string{
	StatusPending: "Waiting to be sent",
	StatusSent:    "Delivered",
	StatusFailed:  "Refused by the mail server",
}

// StatusWords is how staff read a delivery status: "Delivered" for "sent".
func StatusWords(status string) string {
	if w, ok := statusWords[status]; ok {
		return w
	}
	return status
}

// replyCode finds a server's reply code and its enhanced status code in a
// stored error ("RCPT TO: 550 5.1.1 No such user").
var replyCode = regexp.MustCompile(`(?:^|: )([45]\d\d)(?: ([245])\.(\d{1,3})\.(\d{1,3}))?(?:\s|$)`)

// ProblemWords says in words what went wrong with a delivery, from its
// stored error; "" when there is none.
func ProblemWords(lastError string) string {
	e := strings.TrimSpace(lastError)
	if e == "" {
		return ""
	}
	m := replyCode.FindStringSubmatch(e)
	if m == nil {
		lower := strings.ToLower(e)
		for _, s := range []string{"connection refused", "no such host", "dial", "timeout", "deadline", "connection reset", "eof", "tls"} {
			if strings.Contains(lower, s) {
				return "Firststep could not reach the mail server, or lost the connection. It tries again by itself."
			}
		}
		return "Something went wrong while sending."
	}
	code, _ := strconv.Atoi(m[1])
	subject, detail := m[3], m[4]
	switch {
	case code == 530 || code == 535 || subject == "7" && detail == "8":
		return "The mail server did not accept Firststep's sign-in: check the user and password in FIRSTSTEP_SMTP_URL."
	case code/100 == 4:
		return "The mail server asked to try again later. Firststep does, by itself."
	case subject == "1" && detail == "1":
		return "The recipient's address does not exist."
	case subject == "1":
		return "The recipient's address or its domain is not valid."
	case subject == "2" && detail == "2", code == 452:
		return "The recipient's mailbox is full."
	case subject == "2":
		return "The recipient's mailbox is not taking email."
	case subject == "3" && detail == "4", code == 552:
		return "The email is too large for the recipient's server."
	case subject == "6" && (detail == "7" || detail == "9"):
		return "The recipient's server cannot take an address with characters beyond plain English letters."
	case subject == "7", code == 554:
		return "The recipient's server refused the email (a spam filter or its policy)."
	case code == 550 || code == 551 || code == 553:
		return "The recipient's server refused this address."
	default:
		return "The mail server refused the email."
	}
}
