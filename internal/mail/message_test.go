package mail

import (
	"strings"
	"testing"
	"time"

	"github.com/firststep/firststep/internal/invite"
)

func TestValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		edit    func(*Message)
		wantErr string // empty: valid
	}{
		{name: "valid invitation", edit: func(*Message) {}},
		{name: "valid without HTML", edit: func(m *Message) { m.HTML = "" }},
		{name: "valid plain", edit: func(m *Message) { m.HTML, m.Calendar, m.CalendarMethod = "", nil, "" }},

		// Header injection: every way caller text reaches a header.
		{name: "CRLF in subject", edit: func(m *Message) { m.Subject = "Hi\r\nBcc: victim@example.com" }, wantErr: "subject: text contains a line break"},
		{name: "LF in subject", edit: func(m *Message) { m.Subject = "Hi\nBcc: x@example.com" }, wantErr: "line break"},
		{name: "CR in from name", edit: func(m *Message) { m.From.Name = "Riverbend\rBcc: x@example.com" }, wantErr: "from: name:"},
		{name: "LF in recipient name", edit: func(m *Message) { m.To[1].Name = "Zoë\nBcc: x@example.com" }, wantErr: "to 1: name:"},
		{name: "CRLF in recipient email", edit: func(m *Message) { m.To[0].Email = "a@example.com\r\nBcc: x@example.com" }, wantErr: "to 0: email:"},
		{name: "CRLF in extra header value", edit: func(m *Message) {
			m.Headers = map[string]string{"X-Ref": "1\r\nBcc: x@example.com"}
		}, wantErr: "header X-Ref:"},
		{name: "CRLF in extra header name", edit: func(m *Message) {
			m.Headers = map[string]string{"X-Ref\r\nBcc": "x@example.com"}
		}, wantErr: "not a valid field name"},
		{name: "CRLF in message ID", edit: func(m *Message) { m.MessageID = "a@b\r\nBcc: x@example.com" }, wantErr: "message ID"},
		{name: "NUL in subject", edit: func(m *Message) { m.Subject = "a\x00b" }, wantErr: "control character"},

		{name: "from without email", edit: func(m *Message) { m.From.Email = "" }, wantErr: "from: email is empty"},
		{name: "from email with display name", edit: func(m *Message) { m.From.Email = "Riverbend <a@example.com>" }, wantErr: "not a bare address"},
		{name: "recipient email invalid", edit: func(m *Message) { m.To[0].Email = "not-an-address" }, wantErr: "to 0: email"},
		{name: "no recipients", edit: func(m *Message) { m.To = nil }, wantErr: "no recipients"},
		{name: "empty subject", edit: func(m *Message) { m.Subject = "  " }, wantErr: "subject is empty"},
		{name: "zero date", edit: func(m *Message) { m.Date = time.Time{} }, wantErr: "date is zero"},
		{name: "message ID with angle brackets", edit: func(m *Message) { m.MessageID = "<a@example.org>" }, wantErr: "not of the form left@right"},
		{name: "message ID without @", edit: func(m *Message) { m.MessageID = "abc" }, wantErr: "not of the form left@right"},
		{name: "message ID with space", edit: func(m *Message) { m.MessageID = "a b@example.org" }, wantErr: "message ID"},
		{name: "empty text", edit: func(m *Message) { m.Text = "" }, wantErr: "text body is empty"},
		{name: "invalid UTF-8 text", edit: func(m *Message) { m.Text = "caf\xe9" }, wantErr: "not valid UTF-8"},
		{name: "invalid UTF-8 HTML", edit: func(m *Message) { m.HTML = "caf\xe9" }, wantErr: "HTML body is not valid UTF-8"},

		{name: "calendar method differs from METHOD", edit: func(m *Message) { m.CalendarMethod = "CANCEL" }, wantErr: `calendar METHOD "REQUEST" does not match calendar method "CANCEL"`},
		{name: "calendar without method", edit: func(m *Message) { m.CalendarMethod = "" }, wantErr: "is not an iTIP method"},
		{name: "lower-case calendar method", edit: func(m *Message) { m.CalendarMethod = "request" }, wantErr: "is not an iTIP method"},
		{name: "method without calendar", edit: func(m *Message) { m.Calendar = nil }, wantErr: "given without a calendar"},
		{name: "calendar that does not parse", edit: func(m *Message) { m.Calendar = []byte("BEGIN:VCALENDAR\r\nnonsense\r\n") }, wantErr: "mail: calendar:"},
		{name: "calendar without METHOD", edit: func(m *Message) {
			m.Calendar = []byte(strings.Replace(string(m.Calendar), "METHOD:REQUEST\r\n", "", 1))
		}, wantErr: "calendar has no METHOD"},

		{name: "extra header overriding From", edit: func(m *Message) { m.Headers = map[string]string{"from": "x@example.com"} }, wantErr: "cannot be set"},
		{name: "extra Bcc", edit: func(m *Message) { m.Headers = map[string]string{"Bcc": "x@example.com"} }, wantErr: "cannot be set"},
		{name: "extra Content- header", edit: func(m *Message) { m.Headers = map[string]string{"Content-Disposition": "inline"} }, wantErr: "cannot be set"},
		{name: "extra header twice", edit: func(m *Message) {
			m.Headers = map[string]string{"X-Ref": "1", "x-ref": "2"}
		}, wantErr: "given twice"},
		{name: "non-ASCII extra header", edit: func(m *Message) { m.Headers = map[string]string{"X-Ref": "Zoë"} }, wantErr: "must be ASCII"},
		{name: "Auto-Submitted may be overridden", edit: func(m *Message) { m.Headers = map[string]string{"Auto-Submitted": "no"} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := inviteMessage(t, invite.MethodRequest, 0)
			tt.edit(&m)
			err := m.Validate()
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("Validate() = %v, want nil", err)
			case tt.wantErr != "" && err == nil:
				t.Fatalf("Validate() = nil, want error containing %q", tt.wantErr)
			case tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr):
				t.Fatalf("Validate() = %v, want error containing %q", err, tt.wantErr)
			case err != nil && !strings.HasPrefix(err.Error(), "mail: "):
				t.Errorf("error %q lacks the package prefix", err)
			}
			raw, berr := m.Bytes()
			if (berr == nil) != (tt.wantErr == "") {
				t.Errorf("Bytes() error = %v, want error: %v", berr, tt.wantErr != "")
			}
			if berr != nil && raw != nil {
				t.Error("Bytes() returned output with an error")
			}
		})
	}
}

func TestFoldField(t *testing.T) {
	t.Parallel()
	long := "Subject: " + strings.Repeat("abcdefghij ", 10) + "end"
	tests := []struct {
		name string
		in   string
		want string
	}{
		{name: "short", in: "Subject: hello", want: "Subject: hello"},
		{name: "exactly 78", in: "Subject: " + strings.Repeat("x", 69), want: "Subject: " + strings.Repeat("x", 69)},
		{
			name: "folds at the last single space that fits",
			in:   long,
			want: "Subject: " + strings.TrimSuffix(strings.Repeat("abcdefghij ", 6), " ") + "\r\n " + strings.TrimSuffix(strings.Repeat("abcdefghij ", 4), " ") + " end",
		},
		{
			name: "long first word goes on its own line",
			in:   "Subject: " + strings.Repeat("y", 75),
			want: "Subject:\r\n " + strings.Repeat("y", 75),
		},
		{
			name: "unbreakable word is left whole",
			in:   "X-Token: " + strings.Repeat("z", 100),
			want: "X-Token:\r\n " + strings.Repeat("z", 100),
		},
		{
			name: "never folds at a double space",
			in:   "Subject: " + strings.Repeat("a", 60) + "  " + strings.Repeat("b", 30),
			want: "Subject:\r\n " + strings.Repeat("a", 60) + "  " + strings.Repeat("b", 30),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := foldField(tt.in)
			if got != tt.want {
				t.Errorf("foldField() =\n%q\nwant\n%q", got, tt.want)
			}
			if unfolded := strings.ReplaceAll(got, "\r\n", ""); unfolded != tt.in {
				t.Errorf("unfolding gives %q, want %q", unfolded, tt.in)
			}
		})
	}
}
