package intake

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/audit"
	"github.com/firststep/firststep/internal/staff"
	"github.com/firststep/firststep/internal/store"
	"gorm.io/gorm"
)

// maxNote bounds a staff note, in characters.
const maxNote = 5000

// Note is what a staff member wrote about an intake, and who and when.
type Note struct {
	ID          int64
	AuthorName  string
	AuthorEmail string
	Body        string
	CreatedAt   time.Time
}

type noteRow struct {
	ID        int64 `gorm:"primaryKey"`
	IntakeID  int64
	AuthorID  int64
	Body      string
	CreatedAt time.Time
}

func (noteRow) TableName() string { return "intake_notes" }

// NoteProblem returns why body cannot be saved as a note, or "".
func NoteProblem(body string) string {
	switch n := utf8.RuneCountInString(body); {
	case n == 0:
		return "Write the note before saving it."
	case n > maxNote:
		return fmt.Sprintf("A note can be at most %d characters (this one has %d).", maxNote, n)
	}
	return ""
}

// AddNote adds a note by the actor to an intake they may see. The audit
// entry names the note, never its text.
func (s *Service) AddNote(ctx context.Context, by Actor, id int64, body string) (Note, error) {
	if !by.Account.Can(staff.EditIntake) {
		return Note{}, errForbidden
	}
	body = strings.TrimSpace(clean(body, true))
	if msg := NoteProblem(body); msg != "" {
		return Note{}, apperr.Validation(map[string]string{"body": msg})
	}
	now := s.now().UTC()
	n := noteRow{IntakeID: id, AuthorID: by.Account.ID, Body: body, CreatedAt: now}
	err := store.Transact(ctx, s.db, func(tx *gorm.DB) error {
		if _, err := s.loadVisible(tx, by.Account, id); err != nil {
			return err
		}
		if err := tx.Create(&n).Error; err != nil {
			return fmt.Errorf("add note: %w", err)
		}
		return audit.Record(tx, now, entry(by, audit.IntakeNote, id, "note "+strconv.FormatInt(n.ID, 10)))
	})
	if err != nil {
		return Note{}, err
	}
	return Note{ID: n.ID, AuthorName: by.Account.Name, AuthorEmail: by.Account.Email, Body: body, CreatedAt: now}, nil
}

// Notes returns the notes on an intake the account may see, oldest first.
// Authors' names are read from the staff accounts (a read-only join).
func (s *Service) Notes(ctx context.Context, acc staff.Account, id int64) ([]Note, error) {
	db := s.db.WithContext(ctx)
	if _, err := s.loadVisible(db, acc, id); err != nil {
		return nil, err
	}
	var rows []struct {
		ID          int64
		AuthorName  string
		AuthorEmail string
		Body        string
		CreatedAt   time.Time
	}
	err := db.Table("intake_notes n").
		Select("n.id, n.body, n.created_at, a.name AS author_name, a.email AS author_email").
		Joins("JOIN staff_accounts a ON a.id = n.author_id").
		Where("n.intake_id = ?", id).Order("n.created_at, n.id").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("list notes: %w", err)
	}
	out := make([]Note, len(rows))
	for i, r := range rows {
		out[i] = Note{ID: r.ID, AuthorName: r.AuthorName, AuthorEmail: r.AuthorEmail, Body: r.Body, CreatedAt: r.CreatedAt.UTC()}
	}
	return out, nil
}
