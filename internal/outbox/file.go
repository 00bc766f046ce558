package outbox

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
)

// FileTransport writes each message to <dataDir>/outbox/<message-id>.eml
// instead of sending it: the default when no SMTP server is configured, so
// that a practice trying Firststep out can open the invitations in a mail
// client. The name comes from the Message-ID header, so sending a message
// again rewrites the same file.
type FileTransport struct {
	dir string
}

// NewFileTransport writes under dataDir/outbox (created on first send).
func NewFileTransport(dataDir string) *FileTransport {
	return &FileTransport{dir: filepath.Join(dataDir, "outbox")}
}

// Dir is the folder the messages are written to.
func (f *FileTransport) Dir() string { return f.dir }

// String describes the transport for logs.
func (f *FileTransport) String() string { return "files in " + f.dir }

// Send writes raw atomically: to a temporary file that is synced and then
// renamed, so a reader never sees half a message and a crash leaves either
// the old file or the new one. from and to are in raw's headers already.
func (f *FileTransport) Send(ctx context.Context, from string, to []string, raw []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := os.MkdirAll(f.dir, 0o750); err != nil {
		return fmt.Errorf("create mail folder: %w", err)
	}
	final := filepath.Join(f.dir, emlName(raw))
	tmp, err := os.CreateTemp(f.dir, ".sending-*.tmp")
	if err != nil {
		return fmt.Errorf("write mail file: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if _, err := tmp.Write(raw); err != nil {
		tmp.Close()
		return fmt.Errorf("write mail file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("sync mail file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write mail file: %w", err)
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		return fmt.Errorf("write mail file: %w", err)
	}
	// Make the rename itself durable.
	if d, err := os.Open(f.dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// maxNameLen keeps file names well under common file system limits.
const maxNameLen = 120

// emlName is the file name for raw: its Message-ID reduced to characters
// safe in a file name. When that changes the ID (or there is none) a hash is
// added, so that two different IDs never share a file.
func emlName(raw []byte) string {
	id := ""
	if m, err := mail.ReadMessage(bytes.NewReader(raw)); err == nil {
		id = bareID(m.Header.Get("Message-ID"))
	}
	if id == "" {
		sum := sha256.Sum256(raw)
		return "message-" + hex.EncodeToString(sum[:12]) + ".eml"
	}
	var b strings.Builder
	for i, r := range id {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9',
			r == '@', r == '_', r == '-', r == '+', r == '=':
			b.WriteRune(r)
		case r == '.' && i > 0:
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	name := b.String()
	if name != id || len(name) > maxNameLen {
		sum := sha256.Sum256([]byte(id))
		name = name[:min(len(name), maxNameLen)] + "-" + hex.EncodeToString(sum[:6])
	}
	return name + ".eml"
}
