package smtptest_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/emersion/go-smtp"
	"github.com/firststep/firststep/internal/smtptest"
)

// send delivers one message over plain SMTP (go-smtp's SendMail insists on
// STARTTLS).
func send(addr, to, body string) error {
	c, err := smtp.Dial(addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.SendMail("practice@example.test", []string{to}, strings.NewReader("Subject: t\r\n\r\n"+body+"\r\n")); err != nil {
		return err
	}
	return c.Quit()
}

func TestAcceptsAndAwaits(t *testing.T) {
	t.Parallel()
	s := smtptest.Start(t)
	sent := make(chan error, 1)
	go func() {
		for _, to := range []string{"a@example.test", "b@example.test"} {
			if err := send(s.Addr, to, "hello "+to); err != nil {
				sent <- err
				return
			}
		}
		sent <- nil
	}()
	got := s.AwaitCount(t, 2)
	if err := <-sent; err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[1].To[0] != "b@example.test" || got[0].From != "practice@example.test" {
		t.Fatalf("accepted %+v", got)
	}
	if n := s.Accepted("hello a@"); n != 1 {
		t.Errorf("Accepted(hello a@) = %d, want 1", n)
	}
}

func TestRefusesWithTheGivenCodes(t *testing.T) {
	t.Parallel()
	s := smtptest.Start(t)
	s.RefuseMailbox("gone@example.test", "No such mailbox here")
	var se *smtp.SMTPError
	if err := send(s.Addr, "Gone@example.test", "x"); !errors.As(err, &se) || se.Code != 550 {
		t.Errorf("RCPT to a refused mailbox: %v, want 550", err)
	}
	s.FailNext(1, 451)
	if err := send(s.Addr, "ok@example.test", "x"); !errors.As(err, &se) || se.Code != 451 {
		t.Errorf("DATA after FailNext: %v, want 451", err)
	}
	s.Refuse("marker-7", 554)
	if err := send(s.Addr, "ok@example.test", "has marker-7"); !errors.As(err, &se) || se.Code != 554 {
		t.Errorf("DATA with the refused marker: %v, want 554", err)
	}
	if err := send(s.Addr, "ok@example.test", "plain"); err != nil {
		t.Errorf("a plain message: %v", err)
	}
	if n, a := len(s.Messages()), s.DataAttempts(); n != 1 || a != 3 {
		t.Errorf("%d accepted of %d DATA attempts, want 1 of 3", n, a)
	}
}

func TestHoldFirstHangsAfterData(t *testing.T) {
	t.Parallel()
	s := smtptest.Start(t)
	s.HoldFirst(t, "hold-me")
	result := make(chan error, 1)
	go func() { result <- send(s.Addr, "a@example.test", "hold-me") }()
	s.AwaitArrivals(t, 1)
	select {
	case err := <-result:
		t.Fatalf("the held message was answered: %v", err)
	default:
	}
	if err := send(s.Addr, "a@example.test", "hold-me again"); err != nil {
		t.Fatalf("only the first marked message is held: %v", err)
	}
}
