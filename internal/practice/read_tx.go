package practice

import (
	"errors"
	"fmt"

	"gorm.io/gorm"
)

// GetTx reads the settings inside the caller's transaction, past the cache:
// what a change is about to replace, exactly as stored.
func (s *Service) GetTx(tx *gorm.DB) (Settings, error) {
	var r row
	err := tx.First(&r, 1).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return s.defaults(), nil
	case err != nil:
		return Settings{}, fmt.Errorf("load practice settings: %w", err)
	}
	return r.settings(), nil
}
